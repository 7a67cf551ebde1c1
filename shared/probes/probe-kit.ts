// What every probe shares: its result line, its evidence, and the one retry it may spend on a throttling answer.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { CredentialMaterial } from '../clients/key-vault';
import type { AuthMode, Evidence, EvidenceEndpoint, TokenClaims } from '../core/evidence';
import type { TenantDefinition } from '../core/tenants';
import type { ProbeFacts } from './facts';
import { retryAfterMs } from '../core/retry-after';
import {
  bodyExcerpt,
  deadlineError,
  evidenceHeaders,
  evidenceRequestHeaders,
  send,
  untilDeadline,
  type HttpCall,
  type HttpExchange,
  type HttpLimits,
} from '../clients/http';

/** Every line a tenant's result can hold: the credential, the tokens, and each probe's calls. */
export type ProbeName =
  | 'credential'
  | 'token.exchange'
  | 'token.ews'
  | 'token.graph'
  | 'ews.getFolder'
  | 'graph.inbox'
  | 'graph.organization'
  | 'graph.messageCenter'
  | 'graph.ewsGrants'
  | 'graph.servicePrincipal'
  | 'adminapi.organizationConfig'
  | 'adminapi.casMailbox';

/** One line of the run object (docs/contracts/cli.md). */
export interface ProbeResult {
  name: ProbeName;
  mailbox?: string;
  ok: boolean;
  status: number | null;
  ms: number;
  /** Why the probe did not run, when it did not. */
  skipped?: string;
  /** When the answer was read, for a slow-changing read reused from an earlier cycle (its probe's cacheForMs). */
  cachedAt?: string;
}

export interface ProbeOutcome {
  result: ProbeResult;
  evidence?: Evidence;
}

export interface ProbeContext {
  dispatcher: Dispatcher;
  limits: HttpLimits;
  /** Epoch ms by which the tenant's checks must end; a retry that would not fit is not made. */
  deadline: number;
  /** Aborts at the deadline: every call in flight is cut off, and none is sent after it. */
  signal: AbortSignal;
  /** The clock for observedAt. */
  now: () => number;
  userAgent: string;
  wait?: (ms: number) => Promise<void>;
}

export interface ProbeCall extends HttpCall {
  endpoint: EvidenceEndpoint;
  operation: string;
  authMode: AuthMode;
  impersonation?: boolean;
  mailbox?: string;
  tokenClaims?: TokenClaims;
}

/** What a 2xx answer must hold for the probe to have proved its point; the reason it does not, or null. */
export type Proof = (exchange: HttpExchange) => string | null;

/**
 * Why an answer that is not an HTTP error still proves nothing: a redirect, a body cut at the cap, or a 2xx without
 * what the probe exists to see. Recorded as the call's error, so that diagnosis and the verdict see a failure.
 */
function unproven(exchange: HttpExchange, proof: Proof, limits: HttpLimits): Evidence['error'] | undefined {
  const status = exchange.status;
  if (exchange.error || status === null || status >= 400) return undefined;
  if (status >= 300 && status < 400) {
    const location = exchange.headers.location;
    let target = 'nowhere given';
    try {
      if (location) target = new URL(location).origin + new URL(location).pathname;
    } catch {
      target = 'an unreadable Location';
    }
    return {
      name: 'UnexpectedRedirect',
      code: 'unexpected_redirect',
      message: `answered ${status} redirecting to ${target} instead of answering the call (a proxy, a captive portal, or the wrong host)`,
    };
  }
  if (exchange.truncated)
    return {
      name: 'UnreadableAnswer',
      code: 'body_over_cap',
      message: `the answer was larger than the ${limits.maxBodyBytes}-byte cap and was not read to the end`,
    };
  if (status < 200 || status >= 300)
    return {
      name: 'UnexpectedAnswer',
      code: 'unexpected_status',
      message: `answered ${status}, which is neither success nor an error`,
    };
  const reason = proof(exchange);
  return reason ? { name: 'UnexpectedAnswer', code: 'expected_answer_missing', message: reason } : undefined;
}

/** The longest Retry-After a probe waits out before asking once more. */
export const RETRY_WAIT_BUDGET_MS = 2_000;

/**
 * Sends a call; when the answer asks the caller to back off (waitOf returns ms) for no longer than
 * RETRY_WAIT_BUDGET_MS and the wait fits before the deadline, waits once and sends again. Returns the last exchange,
 * its evidence, and whether it proved what the probe exists to prove (a 2xx that passes the proof).
 */
export async function callOnce(
  context: ProbeContext,
  call: ProbeCall,
  waitOf: (exchange: HttpExchange) => number | null,
  proof: Proof,
): Promise<{ exchange: HttpExchange; evidence: Evidence; ms: number; ok: boolean }> {
  let exchange = await send(context.dispatcher, call, context.limits, context.signal);
  let ms = exchange.ms;
  let retry: Evidence['retry'];
  const waitMs = waitOf(exchange);
  if (waitMs !== null) {
    // A throttled answer is itself the finding: one short wait is worth a clean answer, a long one would make a
    // throttled tenant cost many healthy ones.
    const honoured =
      waitMs <= RETRY_WAIT_BUDGET_MS && Date.now() + waitMs + context.limits.timeoutMs < context.deadline;
    retry = { waitMs, honoured };
    if (honoured) {
      try {
        await untilDeadline(
          context.wait ? context.wait(waitMs) : sleep(waitMs, undefined, { signal: context.signal }),
          context.signal,
        );
        exchange = await send(context.dispatcher, call, context.limits, context.signal);
      } catch {
        exchange = { status: null, headers: {}, body: '', truncated: false, ms: 0, error: deadlineError('not sent') };
      }
      ms += exchange.ms;
    }
  }
  const failure = exchange.error ?? unproven(exchange, proof, context.limits);
  const evidence: Evidence = {
    endpoint: call.endpoint,
    request: {
      method: call.method,
      url: call.url,
      operation: call.operation,
      authMode: call.authMode,
      ...(call.impersonation !== undefined ? { impersonation: call.impersonation } : {}),
      ...(call.mailbox ? { mailbox: call.mailbox } : {}),
      headers: evidenceRequestHeaders(call.headers ?? {}),
    },
    response: { status: exchange.status, headers: evidenceHeaders(exchange.headers), body: bodyExcerpt(exchange.body) },
    ...(failure ? { error: failure } : {}),
    ...(call.tokenClaims ? { tokenClaims: call.tokenClaims } : {}),
    observedAt: new Date(context.now()).toISOString(),
    ...(retry ? { retry } : {}),
  };
  const ok = !failure && exchange.status !== null && exchange.status >= 200 && exchange.status < 300;
  return { exchange, evidence, ms, ok };
}

/** A proof that the body is JSON holding what `has` looks for, described by `expected` when it is not. */
export const jsonProof =
  (expected: string, has: (body: Record<string, unknown>) => boolean): Proof =>
  (exchange) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(exchange.body);
    } catch {
      return `answered ${exchange.status} but the body is not JSON (empty, cut or HTML), so it does not show ${expected}`;
    }
    return typeof parsed === 'object' && parsed !== null && has(parsed as Record<string, unknown>)
      ? null
      : `answered ${exchange.status} with JSON that lacks ${expected}`;
  };

/** How long a 429 or 503 asks the caller to wait (Retry-After), in milliseconds; null when it does not say. */
export function throttleWaitMs(exchange: HttpExchange): number | null {
  if (exchange.status !== 429 && exchange.status !== 503) return null;
  return retryAfterMs(exchange.headers['retry-after'], Date.now()) ?? null;
}

/** The tokens a probe can be sent with: EWS's (its own scope when the app asks for one), Exchange's, and Graph's. */
export type TokenKind = 'ews' | 'exchange' | 'graph';
export interface GrantedToken {
  token: string;
  claims: TokenClaims;
}

export interface ProbeRun {
  outcomes: ProbeOutcome[];
  facts?: ProbeFacts;
}

export interface ProbeInput {
  context: ProbeContext;
  tenant: TenantDefinition;
  /** The token it was declared to need; absent when it needs none. */
  token?: GrantedToken;
  /** The app's credential, for the one probe that signs in with it (EWS with Basic authentication). */
  material: CredentialMaterial;
  /** The canary, for probes that run once per mailbox. */
  mailbox?: string;
}

/**
 * One probe as data: what it needs, when it runs, the call, and which permission line it feeds. checkTenant walks
 * the registry (shared/probes/registry.ts); a new probe is a file exporting one of these, plus its registration.
 */
export interface ProbeDefinition {
  /** Its line's name, or its first line's for a probe of several calls. */
  name: ProbeName;
  /** Once per canary (canaries in parallel), or once per tenant after the canaries. */
  per: 'mailbox' | 'tenant';
  enabled: (tenant: TenantDefinition) => boolean;
  /** The token it is sent with, or null when it needs none. */
  token: (tenant: TenantDefinition) => TokenKind | null;
  /** Roles its token must hold (any one); without one the probe does not run. */
  runsWith?: string[];
  run: (input: ProbeInput) => Promise<ProbeRun>;
  /** What stands in for the run when it cannot happen (no token, no role, or turned off): a skipped line by default. */
  unable?: (reason: string, tenant: TenantDefinition) => ProbeRun;
  /** The permission line it proves: the roles that allow it on which resource. */
  permission?: { check: string; resource: 'exchange' | 'graph'; roles: string[] };
  /** The readiness components (shared/core/readiness.ts) that read its lines or facts. */
  readiness?: ('A' | 'B' | 'C' | 'D' | 'E')[];
  /**
   * For a per-tenant read of settings that change about monthly: how long a worker reuses an answer that proved its
   * point, instead of asking every cycle.
   */
  cacheForMs?: number;
}

export const skipped = (name: ProbeName, reason: string, mailbox?: string): ProbeOutcome => ({
  result: { name, ...(mailbox ? { mailbox } : {}), ok: false, status: null, ms: 0, skipped: reason },
});
