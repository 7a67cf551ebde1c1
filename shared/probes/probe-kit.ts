// What every probe shares: its result line, its evidence, and the one retry it may spend on a throttling answer.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { AuthMode, Evidence, EvidenceEndpoint, TokenClaims } from '../evidence';
import { bodyExcerpt, evidenceHeaders, evidenceRequestHeaders, send, type HttpCall, type HttpExchange, type HttpLimits } from '../http';

/** One line of the run object (shared/contracts/cli.md). */
export interface ProbeResult {
  name: string;
  mailbox?: string;
  ok: boolean;
  status: number | null;
  ms: number;
  /** Why the probe did not run, when it did not. */
  skipped?: string;
}

export interface ProbeOutcome { result: ProbeResult; evidence?: Evidence }

export interface ProbeContext {
  dispatcher: Dispatcher;
  limits: HttpLimits;
  /** Epoch ms by which the tenant's checks must end; a retry that would not fit is not made. */
  deadline: number;
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

/**
 * Sends a call; when the answer asks the caller to back off (waitOf returns ms) and the wait fits before the
 * deadline, waits once and sends again. Returns the last exchange and its evidence.
 */
export async function callOnce(context: ProbeContext, call: ProbeCall, waitOf: (exchange: HttpExchange) => number | null): Promise<{ exchange: HttpExchange; evidence: Evidence; ms: number }> {
  let exchange = await send(context.dispatcher, call, context.limits);
  let ms = exchange.ms;
  let retry: Evidence['retry'];
  const waitMs = waitOf(exchange);
  if (waitMs !== null) {
    const honoured = Date.now() + waitMs + context.limits.timeoutMs < context.deadline;
    retry = { waitMs, honoured };
    if (honoured) {
      await (context.wait ?? sleep)(waitMs);
      exchange = await send(context.dispatcher, call, context.limits);
      ms += exchange.ms;
    }
  }
  const evidence: Evidence = {
    endpoint: call.endpoint,
    request: {
      method: call.method, url: call.url, operation: call.operation, authMode: call.authMode,
      ...(call.impersonation !== undefined ? { impersonation: call.impersonation } : {}),
      ...(call.mailbox ? { mailbox: call.mailbox } : {}),
      headers: evidenceRequestHeaders(call.headers ?? {}),
    },
    response: { status: exchange.status, headers: evidenceHeaders(exchange.headers), body: bodyExcerpt(exchange.body) },
    ...(exchange.error ? { error: exchange.error } : {}),
    ...(call.tokenClaims ? { tokenClaims: call.tokenClaims } : {}),
    observedAt: new Date(context.now()).toISOString(),
    ...(retry ? { retry } : {}),
  };
  return { exchange, evidence, ms };
}

/** Retry-After in seconds (or an HTTP date) on 429 and 503, as milliseconds. */
export function retryAfterMs(exchange: HttpExchange): number | null {
  if (exchange.status !== 429 && exchange.status !== 503) return null;
  const header = exchange.headers['retry-after'];
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

export const skipped = (name: string, reason: string, mailbox?: string): ProbeOutcome => ({
  result: { name, ...(mailbox ? { mailbox } : {}), ok: false, status: null, ms: 0, skipped: reason },
});
