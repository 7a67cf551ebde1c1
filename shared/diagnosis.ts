// From a tenant's probe results and evidence to its verdict and findings (shared/contracts/diagnosis.md).
// Until the rule engine exists, each failed probe is reported as cause `other`; the shapes are final.
import type { Cause } from './causes';
import type { Evidence } from './evidence';
import type { ProbeResult } from './probes/probe-kit';

export type Verdict = 'healthy' | 'degraded' | 'failing' | 'unknown';
export type Confidence = 'high' | 'medium' | 'low';

export interface Finding {
  cause: Cause;
  detail?: string;
  confidence: Confidence;
  summary: string;
  evidence?: string[];
  fix?: string[];
  docs?: string[];
}

export function diagnoseTenant(probes: ProbeResult[], evidence: Evidence[]): { verdict: Verdict; findings: Finding[] } {
  const ran = probes.filter((p) => !p.skipped);
  const failed = ran.filter((p) => !p.ok);
  if (failed.length === 0) return { verdict: ran.length > 0 ? 'healthy' : 'unknown', findings: [] };
  const credential = failed.find((p) => p.name === 'credential');
  if (credential) {
    // Our own vault failing (not a missing secret) says nothing about the tenant.
    const infrastructure = credential.status !== 404 && credential.status !== 200;
    const reason = evidence.find((e) => e.endpoint === 'keyvault')?.error?.message ?? 'the credential could not be loaded';
    return { verdict: infrastructure ? 'unknown' : 'failing', findings: [{ cause: 'other', confidence: 'low', summary: reason }] };
  }
  // Degraded: every failure is a mailbox probe that works on another canary; anything else is failing.
  const worksElsewhere = (p: ProbeResult) => p.mailbox !== undefined && ran.some((q) => q.name === p.name && q.mailbox !== p.mailbox && q.ok);
  const verdict: Verdict = failed.every(worksElsewhere) ? 'degraded' : 'failing';
  const findings = failed.map((p): Finding => ({
    cause: 'other',
    confidence: 'low',
    summary: `${p.name}${p.mailbox ? ` for ${p.mailbox}` : ''} failed${p.status === null ? ' without an HTTP answer' : ` with HTTP ${p.status}`}`,
  }));
  return { verdict, findings };
}
