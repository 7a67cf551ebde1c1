// From evidence to a verdict and ranked findings (docs/contracts/diagnosis.md): pure, no I/O, no clock.
import type { Cause } from '../core/causes';
import type { Evidence, EvidenceEndpoint } from '../core/evidence';
import type { ControlPlaneFacts } from '../probes/facts';
import { redact } from '../core/redact';
import type { FixTarget } from './fixes';
import { RULES, UNEXPLAINED, type Confidence, type CycleEvidence, type Match, type Rule } from './rules';
import { readSignals, type Signals } from './signals';
import { TELLS_APART } from './tells-apart';

export type { Confidence } from './rules';
export type Verdict = 'healthy' | 'degraded' | 'failing' | 'unknown';

export interface Finding {
  cause: Cause;
  detail?: string;
  confidence: Confidence;
  summary: string;
  evidence?: string[];
  fix?: string[];
  docs?: string[];
  /** The rule that produced the finding (shared/diagnosis/rules.ts). */
  rule?: string;
  /** Where the calls it explains went: what an alert keys the finding by. */
  endpoints?: EvidenceEndpoint[];
  /** True when it is only another reading of failures that a likelier finding explains. */
  alternative?: true;
  /**
   * Set when the failure is tenant-health's own (its Key Vault, its managed identity): the tenant's verdict is then
   * unknown, its alerts are left as they are, and the operator is alerted instead.
   */
  origin?: 'monitoring_infrastructure';
  /**
   * On the top finding, when the evidence fits more than one cause: every reading, best first, with its confidence and
   * the one check that tells it from the others. Absent when the evidence is decisive.
   */
  candidates?: Candidate[];
}

export interface Candidate {
  cause: Cause;
  detail?: string;
  confidence: Confidence;
  tellsApart: string;
}

export interface Diagnosis {
  verdict: Verdict;
  findings: Finding[];
}

/** What the caller knows beyond the evidence: the tenant, the app, and what the control plane said. */
export interface DiagnoseContext {
  tenantId?: string;
  clientId?: string;
  userAgent?: string;
  controlPlane?: ControlPlaneFacts;
}

const RANK: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };
const MAX_EVIDENCE_LINES = 6;
const MAX_ALTERNATIVES = 2;

interface RankedRule {
  rule: Rule;
  ruleIndex: number;
  match: Match;
  signals: Signals;
  primary: boolean;
}

function rank(s: Signals, cycle: CycleEvidence): RankedRule[] {
  const matched = RULES.flatMap((rule, ruleIndex) => {
    const match = rule.match(s, cycle);
    return match ? [{ rule, ruleIndex, match, signals: s, primary: false }] : [];
  }).sort((a, b) => RANK[b.match.confidence] - RANK[a.match.confidence] || a.ruleIndex - b.ruleIndex);
  if (matched.length === 0)
    return [
      { rule: UNEXPLAINED, ruleIndex: RULES.length, match: UNEXPLAINED.match(s, cycle)!, signals: s, primary: true },
    ];
  const [top, ...rest] = matched;
  top!.primary = true;
  if (top!.match.confidence === 'high') return [top!];
  // Where the evidence cannot decide, the other readings follow, one per cause.
  const alternatives: RankedRule[] = [];
  for (const candidate of rest) {
    if (candidate.rule.cause === top!.rule.cause || alternatives.some((a) => a.rule.cause === candidate.rule.cause))
      continue;
    if (alternatives.length < MAX_ALTERNATIVES) alternatives.push(candidate);
  }
  return [top!, ...alternatives];
}

const clip = (text: string, width = 220) => {
  const line = redact(text.replace(/\s+/g, ' ').trim());
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
};

/** The line that says what this call showed. */
function observed(s: Signals): string {
  const seen = s.policyReason
    ? `X-EWS-Policy-Reason: ${s.policyReason}`
    : s.diagnostics
      ? `x-ms-diagnostics: ${s.diagnostics.code} "${s.diagnostics.reason}"`
      : s.aadsts.length
        ? (s.text.match(/AADSTS\d+:[^.]*\./)?.[0] ?? `AADSTS${s.aadsts[0]}`)
        : s.graphCode
          ? `${s.graphCode}${s.graphMessage ? `: ${s.graphMessage}` : ''}`
          : s.soapCodes.find((c) => c.startsWith('Error'))
            ? `${s.soapCodes.find((c) => c.startsWith('Error'))}${s.soapMessage ? `: ${s.soapMessage}` : ''}`
            : s.basicChallenge
              ? 'WWW-Authenticate: Basic'
              : (s.text.split('\n').find((line) => line.trim() && !/^[\w-]+: /.test(line)) ?? '');
  return clip(seen ? `${s.label}: ${seen}` : s.label);
}

function target(s: Signals, cycle: CycleEvidence, context: DiagnoseContext): FixTarget {
  const fromCycle = <K extends 'tenantId' | 'clientId' | 'userAgent'>(key: K) =>
    s[key] ?? cycle.all.find((o) => o[key])?.[key];
  const userAgent = context.userAgent ?? fromCycle('userAgent');
  return {
    tenant: context.tenantId ?? fromCycle('tenantId') ?? '<tenant-id>',
    client: context.clientId ?? fromCycle('clientId') ?? '<client-id>',
    login: s.loginHost,
    mailbox: s.mailbox ?? '<mailbox>',
    ...(userAgent ? { userAgent } : {}),
  };
}

function verdictOf(signals: Signals[]): Verdict {
  const failures = signals.filter((s) => s.failed);
  if (failures.length === 0) return signals.some((s) => s.ok) ? 'healthy' : 'unknown';
  // Our own vault or identity failing says nothing about the tenant.
  if (failures.some((s) => s.ours)) return 'unknown';
  const worksElsewhere = (s: Signals) =>
    s.mailbox !== undefined &&
    signals.some(
      (o) =>
        o.endpoint === s.endpoint &&
        o.ok &&
        o.mailbox !== undefined &&
        o.mailbox.toLowerCase() !== s.mailbox!.toLowerCase(),
    );
  return failures.every(worksElsewhere) ? 'degraded' : 'failing';
}

/**
 * Diagnoses the evidence of one tenant's cycle (or of a single call): each failed call is read by every rule,
 * the calls are weighed against each other, and the findings come back most likely first.
 */
export function diagnose(evidence: Evidence[], context: DiagnoseContext = {}): Diagnosis {
  // A cycle of plain successes has nothing to explain: the common case, answered without reading every call.
  if (evidence.length > 0 && evidence.every(isPlainSuccess)) return { verdict: 'healthy', findings: [] };
  const signals = evidence.map(readSignals);
  const cycle: CycleEvidence = {
    all: signals,
    ...(context.controlPlane ? { controlPlane: context.controlPlane } : {}),
  };
  const verdict = verdictOf(signals);
  const failures = signals.filter((s) => s.failed);
  if (failures.length === 0) {
    return verdict === 'unknown'
      ? {
          verdict,
          findings: [
            {
              cause: 'other',
              detail: 'no_evidence',
              confidence: 'low',
              summary: 'The evidence holds no status, body, error or token to judge.',
            },
          ],
        }
      : { verdict, findings: [] };
  }

  interface Merged {
    candidate: RankedRule;
    confidence: Confidence;
    primary: boolean;
    calls: number;
    evidence: string[];
    endpoints: Set<EvidenceEndpoint>;
  }
  const merged = new Map<string, Merged>();
  for (const s of failures) {
    for (const candidate of rank(s, cycle)) {
      const detail = candidate.match.detail ?? candidate.rule.detail ?? '';
      const key = `${candidate.rule.cause}|${detail}`;
      const lines = [observed(s), ...candidate.match.because.map((line) => clip(line))];
      const existing = merged.get(key);
      if (!existing) {
        merged.set(key, {
          candidate,
          confidence: candidate.match.confidence,
          primary: candidate.primary,
          calls: 1,
          evidence: lines,
          endpoints: new Set([s.endpoint]),
        });
        continue;
      }
      if (RANK[candidate.match.confidence] > RANK[existing.confidence]) {
        existing.candidate = candidate;
        existing.confidence = candidate.match.confidence;
      }
      existing.primary ||= candidate.primary;
      existing.calls += 1;
      existing.endpoints.add(s.endpoint);
      existing.evidence = [...new Set([...existing.evidence, ...lines])];
    }
  }

  const findings = [...merged.values()]
    .sort(
      (a, b) =>
        RANK[b.confidence] - RANK[a.confidence] ||
        Number(b.primary) - Number(a.primary) ||
        b.calls - a.calls ||
        a.candidate.ruleIndex - b.candidate.ruleIndex,
    )
    .map(({ candidate, confidence, primary, evidence: lines, endpoints }): Finding => {
      const { rule, match, signals: s } = candidate;
      const detail = match.detail ?? rule.detail;
      const fix = rule.fix(target(s, cycle, context), s, match).map((line) => redact(line));
      return {
        cause: rule.cause,
        ...(detail ? { detail } : {}),
        confidence,
        summary: redact(rule.summary(s, match)),
        evidence:
          lines.length > MAX_EVIDENCE_LINES
            ? [...lines.slice(0, MAX_EVIDENCE_LINES), `…and ${lines.length - MAX_EVIDENCE_LINES} more`]
            : lines,
        ...(fix.length ? { fix } : {}),
        ...(rule.docs.length ? { docs: [...rule.docs] } : {}),
        rule: rule.id,
        endpoints: [...endpoints].sort(),
        ...(primary ? {} : { alternative: true as const }),
        ...(rule.ours ? { origin: 'monitoring_infrastructure' as const } : {}),
      };
    });
  return { verdict, findings: withCandidates(findings) };
}

/** A call that succeeded with nothing more to read: a 2xx (or a token from the cache) with no body and no error. */
function isPlainSuccess(e: Evidence): boolean {
  const status = e.response?.status;
  const body = typeof e.response?.body === 'string' ? e.response.body : '';
  return (
    !e.error &&
    body === '' &&
    ((typeof status === 'number' && status >= 200 && status < 300) || (status === null && Boolean(e.tokenClaims)))
  );
}

/** The differential on the top finding: it and the other readings the evidence allows, one per cause, best first. */
function withCandidates(findings: Finding[]): Finding[] {
  const [top, ...rest] = findings;
  if (!top || top.confidence === 'high') return findings;
  const readings = [top, ...rest.filter((f) => f.alternative)].filter(
    (f, i, all) => all.findIndex((o) => o.cause === f.cause) === i,
  );
  if (readings.length < 2) return findings;
  const candidates = readings.map((f): Candidate => ({
    cause: f.cause,
    ...(f.detail ? { detail: f.detail } : {}),
    confidence: f.confidence,
    tellsApart: TELLS_APART[f.cause],
  }));
  return [{ ...top, candidates }, ...rest];
}
