// Every HTTP call to Microsoft goes through here: one injected dispatcher, timeouts, a body cap, allow-listed headers.
import { Agent, request, type Dispatcher } from 'undici';

/** Response headers kept as evidence; everything else (cookies, tokens) is dropped. */
export const EVIDENCE_HEADERS = [
  'www-authenticate', 'x-ms-diagnostics', 'x-ews-policy-reason', 'x-backendhttpstatus', 'retry-after', 'request-id',
  'client-request-id', 'x-ms-request-id', 'x-ms-ags-diagnostic', 'content-type', 'x-calculatedbetarget', 'x-feserver',
  'x-beserver', 'x-diaginfo', 'x-ms-ests-server', 'x-ms-keyvault-service-version',
] as const;
/** Request headers that may be recorded with evidence. */
export const EVIDENCE_REQUEST_HEADERS = ['x-anchormailbox', 'client-request-id', 'user-agent', 'content-type', 'x-responseformat'] as const;

export interface HttpLimits {
  /** Connect, headers and body each get this long. */
  timeoutMs: number;
  /** Bytes read from a body at most; the rest is discarded. */
  maxBodyBytes: number;
}
export const DEFAULT_LIMITS: HttpLimits = { timeoutMs: 15_000, maxBodyBytes: 1024 * 1024 };
/** Characters of a body kept as evidence. */
export const EVIDENCE_BODY_CHARS = 4096;

export interface HttpCall {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpExchange {
  status: number | null;
  /** All response headers, names lower-cased; use evidenceHeaders() before keeping any. */
  headers: Record<string, string>;
  body: string;
  /** True when the body was longer than the cap. */
  truncated: boolean;
  ms: number;
  error?: { name: string; message: string; code?: string };
}

/** The pooled agent for one worker: keep-alive, bounded connections, timeouts. */
export function createAgent(limits: HttpLimits = DEFAULT_LIMITS): Agent {
  return new Agent({
    keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: 32, pipelining: 1,
    headersTimeout: limits.timeoutMs, bodyTimeout: limits.timeoutMs, connect: { timeout: limits.timeoutMs },
  });
}

/** Sends a request and never throws: an HTTP status is data, and so is a network failure. */
export async function send(dispatcher: Dispatcher, call: HttpCall, limits: HttpLimits = DEFAULT_LIMITS): Promise<HttpExchange> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await request(call.url, {
      method: call.method, headers: call.headers, body: call.body, dispatcher,
      headersTimeout: limits.timeoutMs, bodyTimeout: limits.timeoutMs, signal: AbortSignal.timeout(limits.timeoutMs * 2),
    });
    const headers = flattenHeaders(response.headers);
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      if (size + buffer.length > limits.maxBodyBytes) {
        chunks.push(buffer.subarray(0, limits.maxBodyBytes - size));
        truncated = true;
        response.body.destroy();
        break;
      }
      chunks.push(buffer);
      size += buffer.length;
    }
    return { status: response.statusCode, headers, body: Buffer.concat(chunks).toString('utf8'), truncated, ms: elapsed() };
  } catch (error) {
    return { status: null, headers: {}, body: '', truncated: false, ms: elapsed(), error: describeNetworkError(error) };
  }
}

/** Response headers as one string per name, names lower-cased, repeated headers joined. */
export function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function describeNetworkError(error: unknown): { name: string; message: string; code?: string } {
  const e = error as { name?: unknown; message?: unknown; code?: unknown; cause?: { code?: unknown; message?: unknown } };
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const detail = typeof e.cause?.message === 'string' && e.cause.message !== message ? `${message}: ${e.cause.message}` : message;
  return { name: typeof e.name === 'string' ? e.name : 'Error', message: detail, ...(code ? { code } : {}) };
}

/** The allow-listed subset of response headers. */
export function evidenceHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(EVIDENCE_HEADERS.filter((h) => headers[h] !== undefined).map((h) => [h, headers[h]!]));
}

/** The allow-listed subset of request headers (matched case-insensitively, kept with their own names). */
export function evidenceRequestHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => (EVIDENCE_REQUEST_HEADERS as readonly string[]).includes(name.toLowerCase())));
}

export const bodyExcerpt = (body: string): string => (body.length > EVIDENCE_BODY_CHARS ? `${body.slice(0, EVIDENCE_BODY_CHARS)}…[${body.length - EVIDENCE_BODY_CHARS} more characters]` : body);
