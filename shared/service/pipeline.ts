// The health-check cycle that the timer, the queue worker, the on-demand check and the command line all run.
import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { CLOUDS } from '../core/clouds';
import { loadCredential, type CredentialMaterial, type SecretStore } from '../clients/key-vault';
import { diagnose, type Finding, type Verdict } from '../diagnosis/engine';
import type { Evidence, TokenClaims } from '../core/evidence';
import { DEFAULT_LIMITS, type HttpLimits } from '../clients/http';
import { probeControlPlane, type ControlPlaneFacts } from '../probes/control-plane';
import { probeEwsGetFolder } from '../probes/ews';
import { probeEwsInventory, type EwsInventory } from '../probes/ews-inventory';
import { probeGraphInbox, probeGraphOrganization } from '../probes/graph';
import { skipped, type ProbeContext, type ProbeOutcome, type ProbeResult } from '../probes/probe-kit';
import { assessReadiness, type Readiness } from '../core/readiness';
import { redact } from '../core/redact';
import type { TenantDefinition } from '../core/tenants';
import type { TokenOutcome, TokenProvider } from '../clients/tokens';
import { forEachLimited } from '../core/pool';

export const USER_AGENT = 'tenant-health/0.1';

export interface PipelineDeps {
  /** Every call to Microsoft goes through this dispatcher (tokens included). */
  dispatcher: Dispatcher;
  secrets: SecretStore;
  tokens: TokenProvider;
  now?: () => number;
  limits?: HttpLimits;
}

export interface RunOptions {
  /** How long one tenant's checks may take, in ms (default 60 s). */
  tenantDeadlineMs?: number;
  /** Tenants checked at once (default 8). */
  concurrency?: number;
  /** Called after each tenant, for progress on a terminal. */
  onTenantDone?: (result: TenantResult, done: number, total: number) => void;
  /** What checking one tenant means here: checkTenant, or the worker's check-then-store (shared/service/check-service.ts). */
  check?: (tenant: TenantDefinition) => Promise<TenantResult>;
  runId?: string;
}

/** What a tenant's app may do according to its tokens, beside what the probes saw it do. */
export interface PermissionLine { check: string; resource: 'exchange' | 'graph'; needs: string[]; granted: string[]; worked: boolean | null }

export interface TenantResult {
  tenantId: string;
  name: string;
  cloud: TenantDefinition['cloud'];
  /** The app checked, and how it reaches mail (from its definition): what the readiness score judges. */
  app: { clientId: string; ews: 'oauth' | 'basic' | 'off'; graph: boolean };
  verdict: Verdict;
  findings: Finding[];
  probes: ProbeResult[];
  readiness: Readiness;
  permissions: PermissionLine[];
  controlPlane?: ControlPlaneFacts;
  /** Apps Microsoft saw calling EWS and apps holding full_access_as_app, or why they could not be read. */
  ewsInventory?: EwsInventory;
  credential?: { type: CredentialMaterial['kind']; expiresOn?: string };
  /** Evidence of every attempted call, as diagnose takes it; bodies of successful calls are dropped. */
  evidence: Evidence[];
  checkedAt: string;
}

export interface RunResult {
  runId: string;
  startedAt: string;
  finishedAt: string;
  tenants: TenantResult[];
  summary: { tenants: number; healthy: number; degraded: number; failing: number; unknown: number };
}

const NEEDS: { check: string; resource: 'exchange' | 'graph'; roles: string[]; probe: string }[] = [
  { check: 'ews', resource: 'exchange', roles: ['full_access_as_app'], probe: 'ews.getFolder' },
  { check: 'graph.mailbox', resource: 'graph', roles: ['Mail.ReadBasic', 'Mail.ReadBasic.All', 'Mail.Read', 'Mail.ReadWrite'], probe: 'graph.inbox' },
  { check: 'graph.organization', resource: 'graph', roles: ['Organization.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'], probe: 'graph.organization' },
  { check: 'controlPlane', resource: 'exchange', roles: ['Exchange.ManageAsApp'], probe: 'adminapi.organizationConfig' },
];

/** The values of a credential that must never leave in evidence, whatever a service echoes back. */
function secretsOf(material: CredentialMaterial): string[] {
  if (material.kind === 'secret') return [material.secret];
  if (material.kind === 'certificate') return material.certificate.privateKey.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));
  return [];
}

/** Evidence with patterns and the tenant's own credential values removed from every text it carries. */
function redactEvidence(evidence: Evidence, known: readonly string[]): Evidence {
  const clean = (text: string) => redact(text, known);
  return {
    ...evidence,
    ...(evidence.response ? { response: { ...evidence.response, body: clean(evidence.response.body), headers: Object.fromEntries(Object.entries(evidence.response.headers).map(([k, v]) => [k, clean(v)])) } } : {}),
    ...(evidence.error ? { error: { ...evidence.error, message: clean(evidence.error.message) } } : {}),
  };
}

/** One cycle over the tenants: each is checked independently, and its failures are data in its own result. */
export async function runCycle(tenants: TenantDefinition[], deps: PipelineDeps, options: RunOptions = {}): Promise<RunResult> {
  const now = deps.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const results: TenantResult[] = new Array<TenantResult>(tenants.length);
  let done = 0;
  await forEachLimited(tenants, options.concurrency ?? 8, async (tenant, index) => {
    results[index] = await (options.check ? options.check(tenant) : checkTenant(tenant, deps, options.tenantDeadlineMs));
    options.onTenantDone?.(results[index], ++done, tenants.length);
  });
  const count = (verdict: Verdict) => results.filter((r) => r.verdict === verdict).length;
  return {
    runId: options.runId ?? randomUUID(),
    startedAt,
    finishedAt: new Date(now()).toISOString(),
    tenants: results,
    summary: { tenants: results.length, healthy: count('healthy'), degraded: count('degraded'), failing: count('failing'), unknown: count('unknown') },
  };
}

export async function checkTenant(tenant: TenantDefinition, deps: PipelineDeps, deadlineMs = 60_000): Promise<TenantResult> {
  const now = deps.now ?? Date.now;
  const checkedAt = new Date(now()).toISOString();
  // The deadline is a hard bound: every call in flight is cut off when it passes, and none is sent after it.
  const signal = AbortSignal.timeout(deadlineMs);
  const context: ProbeContext = { dispatcher: deps.dispatcher, limits: deps.limits ?? DEFAULT_LIMITS, deadline: Date.now() + deadlineMs, signal, now, userAgent: tenant.userAgent ?? USER_AGENT };
  const outcomes: ProbeOutcome[] = [];
  let known: string[] = [];
  const finish = (extra: Partial<TenantResult>): TenantResult => {
    const probes = outcomes.map((o) => o.result);
    const evidence = outcomes.flatMap((o) => (o.evidence ? [redactEvidence(o.result.ok && o.evidence.response ? { ...o.evidence, response: { ...o.evidence.response, body: '' } } : o.evidence, known)] : []));
    const { verdict, findings } = diagnose(evidence, {
      tenantId: tenant.tenantId, clientId: tenant.clientId, userAgent: context.userAgent, ...(extra.controlPlane ? { controlPlane: extra.controlPlane } : {}),
    });
    const result: Omit<TenantResult, 'readiness'> = {
      tenantId: tenant.tenantId, name: tenant.name, cloud: tenant.cloud,
      app: { clientId: tenant.clientId, ews: tenant.checks.ews.enabled ? tenant.checks.ews.auth : 'off', graph: tenant.checks.graph.enabled },
      verdict, findings, probes, evidence, checkedAt, permissions: [], ...extra,
    };
    return { ...result, readiness: assessReadiness(result, now()) };
  };

  const credential = await loadCredential(tenant.credential, deps.secrets, checkedAt, signal);
  if (!credential.ok) {
    outcomes.push({ result: { name: 'credential', ok: false, status: credential.evidence.response?.status ?? null, ms: 0 }, evidence: credential.evidence });
    return finish({});
  }
  const material = credential.material;
  known = secretsOf(material);
  const credentialInfo = { type: material.kind, ...('expiresOn' in material && material.expiresOn ? { expiresOn: material.expiresOn.toISOString() } : {}) };
  const cloud = CLOUDS[tenant.cloud];
  const { ews, graph } = tenant.checks;
  const token = async (name: string, scope: string): Promise<TokenOutcome> => {
    const outcome = await deps.tokens.acquire(tenant, material, scope, new Date(now()).toISOString(), signal);
    outcomes.push({ result: { name, ok: outcome.ok, status: outcome.evidence.response?.status ?? null, ms: outcome.ms }, evidence: outcome.evidence });
    return outcome;
  };

  // A tenant's tokens are fetched one after another (the token client reports one exchange at a time).
  const exchangeScope = `${cloud.exchange}/.default`;
  const ewsScope = ews.scope ?? exchangeScope;
  const needsBearerForEws = ews.enabled && ews.auth === 'oauth';
  const ewsToken = needsBearerForEws ? await token(ewsScope === exchangeScope ? 'token.exchange' : 'token.ews', ewsScope) : undefined;
  const reuse = needsBearerForEws && ewsScope === exchangeScope;
  const exchangeToken = reuse ? ewsToken : tenant.checks.controlPlane === 'auto' ? await token('token.exchange', exchangeScope) : undefined;
  const graphToken = graph.enabled ? await token('token.graph', `${cloud.graph}/.default`) : undefined;

  // Canaries in parallel; each mailbox sees one request at a time, well under Graph's four per mailbox.
  const perMailbox = await Promise.all(tenant.canaries.map(async (mailbox) => {
    const mine: ProbeOutcome[] = [];
    if (ews.enabled) {
      if (ews.auth === 'basic') {
        mine.push(await probeEwsGetFolder(context, tenant, mailbox, { kind: 'basic', username: mailbox, password: 'secret' in material ? material.secret : '' }));
      } else if (ewsToken?.ok) {
        mine.push(await probeEwsGetFolder(context, tenant, mailbox, { kind: 'bearer', token: ewsToken.accessToken, claims: ewsToken.claims }));
      } else {
        mine.push(skipped('ews.getFolder', 'no Exchange token', mailbox));
      }
    }
    if (graph.enabled) {
      mine.push(graphToken?.ok ? await probeGraphInbox(context, tenant, mailbox, { token: graphToken.accessToken, claims: graphToken.claims }) : skipped('graph.inbox', 'no Graph token', mailbox));
    }
    return mine;
  }));
  outcomes.push(...perMailbox.flat());
  if (graph.enabled) {
    outcomes.push(graphToken?.ok ? await probeGraphOrganization(context, tenant, { token: graphToken.accessToken, claims: graphToken.claims }) : skipped('graph.organization', 'no Graph token'));
  }

  const unreadable = (why: string): EwsInventory => ({ usage: { unavailable: `Message Center posts not read: ${why}` }, grants: { unavailable: `full_access_as_app grants not read: ${why}` } });
  let ewsInventory: EwsInventory;
  if (!graph.enabled) ewsInventory = unreadable('the Graph checks are turned off for this tenant');
  else if (!graphToken?.ok) ewsInventory = unreadable('no Graph token');
  else {
    const read = await probeEwsInventory(context, tenant, { token: graphToken.accessToken, claims: graphToken.claims });
    outcomes.push(...read.probes);
    ewsInventory = read.inventory;
  }

  let controlPlane: ControlPlaneFacts | undefined;
  if (tenant.checks.controlPlane === 'auto' && exchangeToken?.ok && exchangeToken.claims.roles?.includes('Exchange.ManageAsApp')) {
    const plane = await probeControlPlane(context, tenant, { token: exchangeToken.accessToken, claims: exchangeToken.claims });
    outcomes.push(...plane.probes);
    controlPlane = plane.facts;
  }

  const claimsOf = (resource: 'exchange' | 'graph'): TokenClaims | undefined => {
    const outcome = resource === 'exchange' ? exchangeToken ?? ewsToken : graphToken;
    return outcome?.ok ? outcome.claims : undefined;
  };
  const permissions = NEEDS.map((need): PermissionLine => {
    const ran = outcomes.filter((o) => o.result.name === need.probe && !o.result.skipped);
    return {
      check: need.check, resource: need.resource, needs: need.roles,
      granted: (claimsOf(need.resource)?.roles ?? []).filter((r) => need.roles.includes(r)),
      worked: ran.length === 0 ? null : ran.every((o) => o.result.ok),
    };
  });
  return finish({ permissions, credential: credentialInfo, ewsInventory, ...(controlPlane ? { controlPlane } : {}) });
}
