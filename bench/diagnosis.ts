// `npm run bench:diagnosis`: the diagnosis engine against real failures people posted (test/fixtures), never our simulator's
// strings: top-1 and top-3 accuracy per cause, the causes it confuses, and how often it is wrong with high confidence.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnose } from '../shared/diagnosis/engine';
import type { Evidence } from '../shared/core/evidence';

interface Case {
  source: string;
  cause: string;
  detail?: string;
  delegated?: true;
  evidence: Evidence;
}

const FIXTURES = join(__dirname, '../../test/fixtures');

function loadCases(): { file: string; cases: Case[] }[] {
  const corpus = join(FIXTURES, 'corpus');
  const files = [
    'public-failures.json',
    ...(existsSync(corpus) ? readdirSync(corpus) : []).filter((f) => f.endsWith('.json')).map((f) => `corpus/${f}`),
  ];
  return files.map((file) => ({
    file,
    cases: (JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { cases: Case[] }).cases,
  }));
}

/** The causes the engine offers, best first: the findings' causes, then each finding's other candidates. */
function ranked(evidence: Evidence): { causes: string[]; confidence: string | undefined } {
  const { findings } = diagnose([evidence]);
  const causes: string[] = [];
  for (const finding of findings) {
    for (const cause of [
      finding.cause,
      ...((finding as { candidates?: { cause: string }[] }).candidates ?? []).map((c) => c.cause),
    ]) {
      if (!causes.includes(cause)) causes.push(cause);
    }
  }
  return { causes, confidence: findings[0]?.confidence };
}

function main(): void {
  const json = process.argv.includes('--json');
  const sets = loadCases();
  // A thread gathered twice (in two files, or twice in one) counts once: the same source with the same evidence.
  const seen = new Set<string>();
  const all = sets
    .flatMap((s) => s.cases.map((c) => ({ ...c, file: s.file })))
    .filter((c) => {
      const key = `${c.source}\n${JSON.stringify(c.evidence)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const duplicates = sets.reduce((n, s) => n + s.cases.length, 0) - all.length;
  const perCause = new Map<string, { cases: number; top1: number; top3: number }>();
  const confusion = new Map<string, number>();
  const confidentlyWrong: { source: string; expected: string; got: string }[] = [];
  let top1 = 0;
  let top3 = 0;
  for (const c of all) {
    const { causes, confidence } = ranked(c.evidence);
    const line = perCause.get(c.cause) ?? { cases: 0, top1: 0, top3: 0 };
    line.cases += 1;
    if (causes[0] === c.cause) {
      top1 += 1;
      line.top1 += 1;
    } else {
      const pair = `${c.cause} -> ${causes[0] ?? '(none)'}`;
      confusion.set(pair, (confusion.get(pair) ?? 0) + 1);
      if (confidence === 'high')
        confidentlyWrong.push({ source: c.source, expected: c.cause, got: causes[0] ?? '(none)' });
    }
    if (causes.slice(0, 3).includes(c.cause)) {
      top3 += 1;
      line.top3 += 1;
    }
    perCause.set(c.cause, line);
  }
  const pct = (n: number, d: number) => (d === 0 ? 0 : Math.round((1000 * n) / d) / 10);
  const summary = {
    cases: all.length,
    duplicatesSetAside: duplicates,
    files: sets.map((s) => ({ file: s.file, cases: s.cases.length })),
    top1Percent: pct(top1, all.length),
    top3Percent: pct(top3, all.length),
    confidentlyWrong: confidentlyWrong.length,
    confidentlyWrongPercent: pct(confidentlyWrong.length, all.length),
    perCause: Object.fromEntries(
      [...perCause].sort().map(([cause, l]) => [cause, { ...l, top1Percent: pct(l.top1, l.cases) }]),
    ),
    confusion: Object.fromEntries([...confusion].sort((a, b) => b[1] - a[1])),
    confidentlyWrongCases: confidentlyWrong,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const rows = [...perCause]
    .sort()
    .map(
      ([cause, l]) =>
        `  ${cause.padEnd(38)} ${String(l.cases).padStart(4)} ${`${pct(l.top1, l.cases)}%`.padStart(7)} ${`${pct(l.top3, l.cases)}%`.padStart(7)}`,
    );
  process.stdout.write(
    [
      `diagnosis on ${all.length} real public failures (${sets.map((s) => `${s.file} ${s.cases.length}`).join(', ')}; ${duplicates} gathered twice, counted once)`,
      `top-1 ${summary.top1Percent}%, top-3 ${summary.top3Percent}%, confidently wrong ${confidentlyWrong.length} (${summary.confidentlyWrongPercent}%)`,
      '',
      `  ${'cause'.padEnd(38)} ${'cases'.padStart(4)} ${'top-1'.padStart(7)} ${'top-3'.padStart(7)}`,
      ...rows,
      '',
      'confused (expected -> top finding):',
      ...[...confusion].sort((a, b) => b[1] - a[1]).map(([pair, n]) => `  ${String(n).padStart(3)}  ${pair}`),
      ...(confidentlyWrong.length
        ? [
            '',
            'wrong with high confidence:',
            ...confidentlyWrong.map((w) => `  ${w.expected} -> ${w.got}  ${w.source}`),
          ]
        : []),
      '',
    ].join('\n'),
  );
}

main();
