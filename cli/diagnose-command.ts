// `tenant-health diagnose FILE|-`: saved evidence in, findings out (docs/contracts/diagnosis.md).
import { diagnose, type Diagnosis, type Finding } from '../shared/diagnosis/engine';
import { EvidenceInputError, parseDiagnosisInput } from '../shared/diagnosis/evidence-input';
import { parseCommand, readJsonFile, UsageError, type CommandSpec } from './args';
import type { Io } from './io';

function renderFinding(finding: Finding, index: number): string[] {
  const lines = [
    `${index + 1}. ${finding.cause}${finding.detail ? ` / ${finding.detail}` : ''} (${finding.confidence} confidence)`,
    `   ${finding.summary}`,
  ];
  for (const line of finding.evidence ?? []) lines.push(`   seen: ${line}`);
  if (finding.fix?.length) lines.push('   fix:', ...finding.fix.map((step) => `     - ${step}`));
  if (finding.docs?.length) lines.push(`   docs: ${finding.docs.join(' ')}`);
  if (finding.candidates?.length)
    lines.push(
      '   the evidence allows these readings; what tells them apart:',
      ...finding.candidates.map((c) => `     - ${c.cause} (${c.confidence}): ${c.tellsApart}`),
    );
  return lines;
}

export function renderDiagnosis(diagnosis: Diagnosis, title?: string): string {
  const head = `${title ? `${title}: ` : ''}${diagnosis.verdict}${diagnosis.findings.length ? '' : ' (no findings)'}`;
  return [head, ...diagnosis.findings.flatMap((f, i) => renderFinding(f, i))].join('\n');
}

export const DIAGNOSE_COMMAND = {
  name: 'diagnose',
  summary: 'explain saved evidence (a run, a result, or probe evidence): root cause, confidence and fix',
  usage: ['diagnose FILE [--json]', 'diagnose - [--json]    (evidence on standard input)'],
  options: {
    json: { type: 'boolean', default: false, help: 'print the diagnosis as JSON (docs/contracts/diagnosis.md)' },
  },
  positionals: 1,
  examples: [
    'tenant-health diagnose run.json',
    'tenant-health check --config tenants.json --json | tenant-health diagnose -',
  ],
} satisfies CommandSpec;

export async function diagnoseCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(DIAGNOSE_COMMAND, args);
  if (positionals.length !== 1)
    throw new UsageError(
      'give one FILE with evidence (or - for standard input): tenant-health diagnose FILE|- [--json]',
    );
  const path = positionals[0]!;
  const value = await readJsonFile(path, 'evidence', (maxBytes) => io.readStdin(maxBytes));
  let input;
  try {
    input = parseDiagnosisInput(value, path === '-' ? 'standard input' : path);
  } catch (error) {
    if (error instanceof EvidenceInputError) throw new UsageError(error.message);
    throw error;
  }
  const diagnoses = input.items.map((item) => diagnose(item.evidence, item.context));
  if (values.json) {
    io.stdout(JSON.stringify(input.single ? diagnoses[0] : diagnoses, null, 2));
  } else {
    const titleOf = (i: number) => {
      const label = input.items[i]!.label;
      return input.single ? label : `[${i}]${label ? ` ${label}` : ''}`;
    };
    io.stdout(diagnoses.map((d, i) => renderDiagnosis(d, titleOf(i))).join('\n\n'));
  }
  return 0;
}
