// Delivery to a Logic App's HTTP request trigger: one POST per notice, the answer classified, the URL's signature never shown.
import type { Dispatcher } from 'undici';
import { send, type HttpLimits } from './http';
import { parseJsonOrNull } from '../core/json';
import { redact } from '../core/redact';
import type { AlertPayload } from '../alerts/payload';
import { retryAfterMs } from '../core/retry-after';

export type DeliveryAttempt =
  | { outcome: 'delivered'; status: number; runId?: string }
  /** Worth trying again: the trigger or the network failed for now; retryAfterMs is what the trigger asked for. */
  | { outcome: 'retry'; status: number | null; reason: string; retryAfterMs?: number }
  /** Trying again cannot help until someone changes something (the URL, the workflow, the payload). */
  | { outcome: 'refused'; status: number; reason: string };

const LIMITS: HttpLimits = { timeoutMs: 30_000, maxBodyBytes: 64 * 1024 };
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);
const HINTS: Record<number, string> = {
  401: "the trigger refused the URL's signature: was the callback URL regenerated, or the access key rotated? Store the new URL",
  403: "the trigger refused the caller: check the workflow's access control (IP ranges or authorization policy)",
  404: 'no workflow or trigger at this URL: was the Logic App deleted, renamed or disabled?',
  413: 'the payload is larger than the trigger accepts',
};

/** The trigger's location for messages and logs: host and workflow, never the query (its sig is the key). */
export function describeTrigger(url: string): string {
  try {
    const parsed = new URL(url);
    const workflow = /\/workflows\/([^/]+)/.exec(parsed.pathname)?.[1];
    return `${parsed.host}${workflow ? ` (workflow ${workflow})` : ''}`;
  } catch {
    return 'an unparseable URL';
  }
}

/** Posts one notice. The idempotency key goes as a header too, and as the run's client tracking id, so runs can be found by it. */
export async function postNotice(
  dispatcher: Dispatcher,
  url: string,
  payload: AlertPayload,
  now: number,
): Promise<DeliveryAttempt> {
  const exchange = await send(
    dispatcher,
    {
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'idempotency-key': payload.idempotencyKey,
        'x-ms-client-tracking-id': payload.idempotencyKey,
      },
      body: JSON.stringify(payload),
    },
    LIMITS,
  );
  const { status } = exchange;
  if (status === null)
    return {
      outcome: 'retry',
      status: null,
      reason: redact(`no answer from ${describeTrigger(url)}: ${exchange.error?.message ?? 'network error'}`),
    };
  if (status >= 200 && status < 300)
    return {
      outcome: 'delivered',
      status,
      ...(exchange.headers['x-ms-workflow-run-id'] ? { runId: exchange.headers['x-ms-workflow-run-id'] } : {}),
    };
  const error = (parseJsonOrNull(exchange.body) as { error?: { code?: string; message?: string } } | null)?.error;
  const said = error?.code
    ? `${error.code}${error.message ? `: ${error.message}` : ''}`
    : exchange.body.trim().slice(0, 200);
  const reason = redact(
    `${describeTrigger(url)} answered ${status}${said ? ` (${said})` : ''}${HINTS[status] ? `; ${HINTS[status]}` : ''}`,
  );
  if (RETRYABLE.has(status)) {
    const wait = retryAfterMs(exchange.headers['retry-after'], now);
    return { outcome: 'retry', status, reason, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  }
  return { outcome: 'refused', status, reason };
}
