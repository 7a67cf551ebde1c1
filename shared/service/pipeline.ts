// The health-check cycle that the timer, the queue worker, the on-demand check and the command line all run.
import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { CLOUDS } from '../core/clouds';
import { loadCredential, secretNamesOf, type CredentialMaterial, type SecretStore } from '../clients/key-vault';
import { diagnose, type Finding, type Verdict } from '../diagnosis/engine';
import type { Evidence, TokenClaims } from '../core/evidence';
import { DEFAULT_LIMITS, type HttpLimits } from '../clients/http';
import type { ControlPlaneFacts, DirectoryFacts, EwsInventory, ProbeFacts } from '../probes/facts';
import {
  skipped,
  type ProbeContext,
  type ProbeDefinition,
  type ProbeName,
  type ProbeOutcome,
  type ProbeResult,
  type ProbeRun,
  type TokenKind,
} from '../probes/probe-kit';
import { PROBES } from '../probes/registry';
import { assessReadiness, type Readiness } from '../core/readiness';
import { redactor } from '../core/redact';
import type { TenantDefinition } from '../core/tenants';
import { refusesCredential, type TokenOutcome, type TokenProvider } from '../clients/tokens';
import { forEachLimited } from '../core/pool';
import { appNameOf } from '../core/known-apps';

export const USER_AGENT = 'tenant-health/0.1';

export interface PipelineDeps {
  /** Every call to Microsoft goes through this dispatcher (tokens included). */
  dispatcher: Dispatcher;
  secrets: SecretStore;
  tokens: TokenProvider;
  now?: () => number;
  limits?: HttpLimits;
  /** Per worker: the slow-changing reads (control plane, EWS inventory) of each tenant, reused while fresh. */
  slowReads?: Map<string, { at: number; run: ProbeRun }>;
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
export interface PermissionLine {
  check: string;
  resource: 'exchange' | 'graph';
  needs: string[];
  granted: string[];
  worked: boolean | null;
}

export interface TenantResult {
  tenantId: string;
  name: string;
  /** The entry's tags, as watched. */
  tags?: Record<string, string>;
  cloud: TenantDefinition['cloud'];
  /** The app checked, and how it reaches mail (from its definition): what the readiness score judges. */
  app: { clientId: string; name?: string; ews: 'oauth' | 'basic' | 'off'; graph: boolean };
  verdict: Verdict;
  findings: Finding[];
  probes: ProbeResult[];
  readiness: Readiness;
  permissions: PermissionLine[];
  controlPlane?: ControlPlaneFacts;
  /** Apps Microsoft saw calling EWS and apps holding full_access_as_app, or why they could not be read. */
  ewsInventory?: EwsInventory;
  /** The tenant as its directory knows it: its id (the tokens' tid), name and verified domains, when read. */
  directory?: { id: string | null } & Partial<DirectoryFacts>;
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

/** Tokens are fetched in this order, so a result's lines come in the same order for every tenant. */
const TOKEN_ORDER: readonly TokenKind[] = ['ews', 'exchange', 'graph'];

/** The values of a credential that must never leave in evidence, whatever a service echoes back. */
function secretsOf(material: CredentialMaterial): string[] {
  if (material.kind === 'secret') return [material.secret];
  if (material.kind === 'certificate')
    return material.certificate.privateKey.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));
  return [];
}

/** Evidence with patterns and the tenant's own credential values removed from every text it carries. */
function redactEvidence(evidence: Evidence, clean: (text: string) => string): Evidence {
  return {
    ...evidence,
    ...(evidence.response
      ? {
          response: {
            ...evidence.response,
            body: clean(evidence.response.body),
            headers: Object.fromEntries(Object.entries(evidence.response.headers).map(([k, v]) => [k, clean(v)])),
          },
        }
      : {}),
    ...(evidence.error ? { error: { ...evidence.error, message: clean(evidence.error.message) } } : {}),
  };
}

/** The app's name, when its token, the tenant's service principals or the well-known table give one. */
function appNameFor(clientId: string, tokenName: string | undefined, inventory: EwsInventory | undefined) {
  const holders = inventory && 'holders' in inventory.grants ? inventory.grants.holders : [];
  const name = appNameOf(clientId, {
    tokenName,
    servicePrincipalName: holders.find((h) => h.appId?.toLowerCase() === clientId.toLowerCase())?.displayName,
  });
  return name ? { name } : {};
}

/** One cycle over the tenants: each is checked independently, and its failures are data in its own result. */
export async function runCycle(
  tenants: TenantDefinition[],
  deps: PipelineDeps,
  options: RunOptions = {},
): Promise<RunResult> {
  const now = deps.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const results: TenantResult[] = new Array<TenantResult>(tenants.length);
  let done = 0;
  await forEachLimited(tenants, options.concurrency ?? 8, async (tenant, index) => {
    results[index] = await (options.check
      ? options.check(tenant)
      : checkTenant(tenant, deps, options.tenantDeadlineMs));
    options.onTenantDone?.(results[index], ++done, tenants.length);
  });
  const count = (verdict: Verdict) => results.filter((r) => r.verdict === verdict).length;
  return {
    runId: options.runId ?? randomUUID(),
    startedAt,
    finishedAt: new Date(now()).toISOString(),
    tenants: results,
    summary: {
      tenants: results.length,
      healthy: count('healthy'),
      degraded: count('degraded'),
      failing: count('failing'),
      unknown: count('unknown'),
    },
  };
}

export async function checkTenant(
  tenant: TenantDefinition,
  deps: PipelineDeps,
  deadlineMs = 60_000,
): Promise<TenantResult> {
  const now = deps.now ?? Date.now;
  const checkedAt = new Date(now()).toISOString();
  // The deadline is a hard bound: every call in flight is cut off when it passes, and none is sent after it.
  const signal = AbortSignal.timeout(deadlineMs);
  const context: ProbeContext = {
    dispatcher: deps.dispatcher,
    limits: deps.limits ?? DEFAULT_LIMITS,
    deadline: Date.now() + deadlineMs,
    signal,
    now,
    userAgent: tenant.userAgent ?? USER_AGENT,
  };
  const outcomes: ProbeOutcome[] = [];
  let known: string[] = [];
  const finish = (extra: Partial<TenantResult>, tokenName?: string): TenantResult => {
    const probes = outcomes.map((o) => o.result);
    const clean = redactor(known);
    const evidence = outcomes.flatMap((o) =>
      o.evidence
        ? [
            redactEvidence(
              o.result.ok && o.evidence.response
                ? { ...o.evidence, response: { ...o.evidence.response, body: '' } }
                : o.evidence,
              clean,
            ),
          ]
        : [],
    );
    const { verdict, findings } = diagnose(evidence, {
      tenantId: tenant.tenantId,
      clientId: tenant.clientId,
      userAgent: context.userAgent,
      ...(extra.controlPlane ? { controlPlane: extra.controlPlane } : {}),
    });
    const result: Omit<TenantResult, 'readiness'> = {
      tenantId: tenant.tenantId,
      name: tenant.name,
      ...(tenant.tags ? { tags: tenant.tags } : {}),
      cloud: tenant.cloud,
      app: {
        clientId: tenant.clientId,
        ...appNameFor(tenant.clientId, tokenName, extra.ewsInventory),
        ews: tenant.checks.ews.enabled ? tenant.checks.ews.auth : 'off',
        graph: tenant.checks.graph.enabled,
      },
      verdict,
      findings,
      probes,
      evidence,
      checkedAt,
      permissions: [],
      ...extra,
    };
    return { ...result, readiness: assessReadiness(result, now()) };
  };

  const credential = await loadCredential(tenant.credential, deps.secrets, checkedAt, signal);
  if (!credential.ok) {
    outcomes.push({
      result: { name: 'credential', ok: false, status: credential.evidence.response?.status ?? null, ms: 0 },
      evidence: credential.evidence,
    });
    return finish({});
  }
  const material = credential.material;
  known = secretsOf(material);
  const credentialInfo = {
    type: material.kind,
    ...('expiresOn' in material && material.expiresOn ? { expiresOn: material.expiresOn.toISOString() } : {}),
  };
  const enabled = PROBES.filter((probe) => probe.enabled(tenant));

  // A tenant's tokens are asked for at once; their lines keep TOKEN_ORDER whatever order the answers come in.
  const cloud = CLOUDS[tenant.cloud];
  const scopes: Record<TokenKind, string> = {
    ews: tenant.checks.ews.scope ?? `${cloud.exchange}/.default`,
    exchange: `${cloud.exchange}/.default`,
    graph: `${cloud.graph}/.default`,
  };
  const wanted = new Set(
    enabled.map((probe) => probe.token(tenant)).filter((kind): kind is TokenKind => kind !== null),
  );
  // EWS shares Exchange's token when it asks for the same scope; each other kind has its own line.
  const lineOf = (kind: TokenKind): ProbeName =>
    kind === 'graph' ? 'token.graph' : scopes[kind] === scopes.exchange ? 'token.exchange' : 'token.ews';
  const kinds = TOKEN_ORDER.filter((k) => wanted.has(k));
  const lines = [...new Map(kinds.map((kind) => [lineOf(kind), kind])).entries()];
  const byLine = new Map(
    await Promise.all(
      lines.map(
        async ([name, kind]) =>
          [
            name,
            await deps.tokens.acquire(tenant, material, scopes[kind], new Date(now()).toISOString(), signal),
          ] as const,
      ),
    ),
  );
  // Entra refusing the credential may mean it was rotated: the next check reads it from the vault again.
  if ([...byLine.values()].some(refusesCredential))
    for (const name of secretNamesOf(tenant.credential)) deps.secrets.forget?.(name);
  for (const [name] of lines) {
    const outcome = byLine.get(name)!;
    outcomes.push({
      result: { name, ok: outcome.ok, status: outcome.evidence.response?.status ?? null, ms: outcome.ms },
      evidence: outcome.evidence,
    });
  }
  const tokens: Partial<Record<TokenKind, TokenOutcome>> = Object.fromEntries(
    kinds.map((kind) => [kind, byLine.get(lineOf(kind))]),
  );
  const tokenName = [...byLine.values()].map((o) => (o.ok ? o.claims.app_displayname : undefined)).find(Boolean);

  const run = async (probe: ProbeDefinition, mailbox?: string): Promise<ProbeRun> => {
    const kind = probe.token(tenant);
    const outcome = kind ? tokens[kind] : undefined;
    const granted = outcome?.ok ? { token: outcome.accessToken, claims: outcome.claims } : undefined;
    const unable = (reason: string) =>
      probe.unable ? probe.unable(reason, tenant) : { outcomes: [skipped(probe.name, reason, mailbox)] };
    return kind && !granted
      ? unable(`no ${kind === 'graph' ? 'Graph' : 'Exchange'} token`)
      : probe.runsWith && !probe.runsWith.some((role) => granted?.claims.roles?.includes(role))
        ? unable(`the token lacks ${probe.runsWith.join(' or ')}`)
        : probe.run({
            context,
            tenant,
            material,
            ...(granted ? { token: granted } : {}),
            ...(mailbox ? { mailbox } : {}),
          });
  };
  // Reads that change about monthly are reused for their probe's cacheForMs when every call of them proved its point.
  const runCached = async (probe: ProbeDefinition): Promise<ProbeRun> => {
    const key = `${tenant.cloud}|${tenant.tenantId.toLowerCase()}|${tenant.clientId.toLowerCase()}|${probe.name}`;
    const kept = probe.cacheForMs ? deps.slowReads?.get(key) : undefined;
    if (kept && now() - kept.at < probe.cacheForMs!) {
      const cachedAt = new Date(kept.at).toISOString();
      return {
        ...kept.run,
        outcomes: kept.run.outcomes.map((o) => ({ ...o, result: { ...o.result, ms: 0, cachedAt } })),
      };
    }
    const done = await run(probe);
    const proved = done.outcomes.length > 0 && done.outcomes.every((o) => o.result.ok && !o.result.skipped);
    if (probe.cacheForMs && deps.slowReads && proved) deps.slowReads.set(key, { at: now(), run: done });
    return done;
  };
  // Every probe at once: each mailbox gets one EWS call and one Graph call at a time (Graph allows four), and the
  // tenant's own reads go beside them. Lines come in the registry's order, canary by canary, whatever ends first.
  const [perMailbox, perTenant] = await Promise.all([
    Promise.all(
      tenant.canaries.map((mailbox) =>
        Promise.all(enabled.filter((p) => p.per === 'mailbox').map((probe) => run(probe, mailbox))),
      ),
    ),
    Promise.all(enabled.filter((p) => p.per === 'tenant').map((probe) => runCached(probe))),
  ]);
  const runs = [...perMailbox.flat(), ...perTenant];
  outcomes.push(...runs.flatMap((r) => r.outcomes));
  const facts: ProbeFacts = Object.assign({}, ...runs.map((r): ProbeFacts => r.facts ?? {})) as ProbeFacts;

  const claimsOf = (resource: 'exchange' | 'graph'): TokenClaims | undefined => {
    const outcome = resource === 'exchange' ? (tokens.exchange ?? tokens.ews) : tokens.graph;
    return outcome?.ok ? outcome.claims : undefined;
  };
  const permissions = PROBES.flatMap((probe): PermissionLine[] => {
    if (!probe.permission) return [];
    const { check, resource, roles } = probe.permission;
    const ran = outcomes.filter((o) => o.result.name === probe.name && !o.result.skipped);
    return [
      {
        check,
        resource,
        needs: roles,
        granted: (claimsOf(resource)?.roles ?? []).filter((r) => roles.includes(r)),
        worked: ran.length === 0 ? null : ran.every((o) => o.result.ok),
      },
    ];
  });
  const { controlPlane, ewsInventory, directory } = facts;
  const tid = [...byLine.values()].map((o) => (o.ok ? o.claims.tid : undefined)).find(Boolean);
  return finish(
    {
      permissions,
      credential: credentialInfo,
      ...(ewsInventory ? { ewsInventory } : {}),
      ...(controlPlane ? { controlPlane } : {}),
      ...(tid || directory ? { directory: { id: tid?.toLowerCase() ?? null, ...directory } } : {}),
    },
    tokenName,
  );
}
