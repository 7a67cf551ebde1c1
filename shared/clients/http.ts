// Every HTTP call to Microsoft goes through here: one injected dispatcher, timeouts, a body cap, allow-listed headers.
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { proxyProblem, proxySettings } from '../core/endpoints';

/** Response headers kept as evidence; everything else (cookies, tokens) is dropped. */
export const EVIDENCE_HEADERS = [
  'www-authenticate',
  'x-ms-diagnostics',
  'x-ews-policy-reason',
  'x-backendhttpstatus',
  'retry-after',
  'request-id',
  'client-request-id',
  'x-ms-request-id',
  'x-ms-ags-diagnostic',
  'content-type',
  'x-calculatedbetarget',
  'x-feserver',
  'x-beserver',
  'x-diaginfo',
  'x-ms-ests-server',
  'x-ms-keyvault-service-version',
] as const;
/** Request headers that may be recorded with evidence. */
export const EVIDENCE_REQUEST_HEADERS = [
  'x-anchormailbox',
  'client-request-id',
  'user-agent',
  'content-type',
  'x-responseformat',
] as const;

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

/** Why a call ended without an answer on our side: the per-call timeout, or the tenant's whole deadline. */
export const DEADLINE_EXCEEDED = 'tenant_deadline_exceeded';
export const REQUEST_TIMEOUT = 'request_timeout';

export interface HttpExchange {
  status: number | null;
  /** All response headers, names lower-cased; use evidenceHeaders() before keeping any. */
  headers: Record<string, string>;
  body: string;
  /** True when the body was longer than the cap. */
  truncated: boolean;
  ms: number;
  /** What ended the call without an answer; host is where it was going (no path, no query). */
  error?: { name: string; message: string; code?: string; host?: string };
}

/**
 * The connection pool for calls to Microsoft. Each tenant in flight has up to about eight calls open at once (its
 * canaries' EWS and Graph probes, the admin API reads), so the pool per origin grows with the tenants checked at once.
 * With HTTPS_PROXY or HTTP_PROXY set, calls go through the proxy (NO_PROXY names what does not): https through a
 * CONNECT tunnel to HTTPS_PROXY (HTTP_PROXY when it is not set, as undici reads them), plain http as absolute-form
 * requests. Unusable proxy settings are not used (the settings report them by name, and check refuses them).
 */
export function createAgent(
  limits: HttpLimits = DEFAULT_LIMITS,
  concurrency = 8,
  env: NodeJS.ProcessEnv = process.env,
): Dispatcher {
  const options = {
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    connections: Math.max(32, concurrency * 8),
    pipelining: 1,
    headersTimeout: limits.timeoutMs,
    bodyTimeout: limits.timeoutMs,
    connect: { timeout: limits.timeoutMs },
  };
  const proxies = proxySettings(env);
  if (proxies.length === 0 || proxyProblem(env)) return new Agent(options);
  const of = (kind: 'http_proxy' | 'https_proxy') => proxies.find((p) => p.kind === kind)?.value;
  const httpProxy = of('http_proxy');
  const httpsProxy = of('https_proxy') ?? httpProxy;
  const noProxy = env.no_proxy || env.NO_PROXY;
  return new EnvHttpProxyAgent({
    ...options,
    proxyTunnel: false,
    ...(httpProxy ? { httpProxy } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    noProxy: noProxy ?? '',
  });
}

/**
 * Sends a request and never throws: an HTTP status is data, and so is a network failure. The whole exchange, body
 * included, ends by the call's timeout (twice the idle timeout) or when `deadline` aborts, whichever is first.
 */
export async function send(
  dispatcher: Dispatcher,
  call: HttpCall,
  limits: HttpLimits = DEFAULT_LIMITS,
  deadline?: AbortSignal,
): Promise<HttpExchange> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  if (deadline?.aborted)
    return {
      status: null,
      headers: {},
      body: '',
      truncated: false,
      ms: 0,
      error: { ...deadlineError('not sent'), host: hostOf(call.url) },
    };
  const callTimeout = AbortSignal.timeout(limits.timeoutMs * 2);
  try {
    const response = await request(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      dispatcher,
      headersTimeout: limits.timeoutMs,
      bodyTimeout: limits.timeoutMs,
      signal: deadline ? AbortSignal.any([deadline, callTimeout]) : callTimeout,
    });
    const headers = flattenHeaders(response.headers);
    const { text, truncated } = await readCapped(response.body, limits.maxBodyBytes);
    return { status: response.statusCode, headers, body: text, truncated, ms: elapsed() };
  } catch (error) {
    const described = deadline?.aborted
      ? deadlineError('cut off')
      : callTimeout.aborted
        ? {
            name: 'TimeoutError',
            message: `no complete answer within ${limits.timeoutMs * 2} ms`,
            code: REQUEST_TIMEOUT,
          }
        : describeNetworkError(error);
    return {
      status: null,
      headers: {},
      body: '',
      truncated: false,
      ms: elapsed(),
      error: { ...described, host: hostOf(call.url) },
    };
  }
}

/** The error of a call the tenant's deadline stopped: evidence that the deadline, not the service, ended it. */
export const deadlineError = (what: 'not sent' | 'cut off') => ({
  name: 'DeadlineExceeded',
  message:
    what === 'not sent'
      ? "not sent: the tenant's check deadline had passed"
      : "cut off: the tenant's check deadline passed before the answer was complete",
  code: DEADLINE_EXCEEDED,
});

/** Waits for work, but no longer than the deadline: a client library that ignores its abort signal cannot hold the check. */
export function untilDeadline<T>(work: Promise<T>, deadline: AbortSignal | undefined): Promise<T> {
  if (!deadline) return work;
  if (deadline.aborted) return Promise.reject(new DeadlineExceededError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DeadlineExceededError());
    deadline.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => deadline.removeEventListener('abort', onAbort));
  });
}

export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceeded';
  readonly code = DEADLINE_EXCEEDED;
  constructor() {
    super("the tenant's check deadline passed while waiting for the answer");
  }
}

/** Reads a body up to the cap; the rest is not read, and the connection is let go. */
export async function readCapped(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    if (size + buffer.length > maxBytes) {
      chunks.push(buffer.subarray(0, maxBytes - size));
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(buffer);
    size += buffer.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
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
  const e = error as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const detail =
    typeof e.cause?.message === 'string' && e.cause.message !== message ? `${message}: ${e.cause.message}` : message;
  return { name: typeof e.name === 'string' ? e.name : 'Error', message: detail, ...(code ? { code } : {}) };
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return 'an unparsable URL';
  }
};

/** The allow-listed subset of response headers. */
export function evidenceHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(EVIDENCE_HEADERS.filter((h) => headers[h] !== undefined).map((h) => [h, headers[h]!]));
}

/** The allow-listed subset of request headers (matched case-insensitively, kept with their own names). */
export function evidenceRequestHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) =>
      (EVIDENCE_REQUEST_HEADERS as readonly string[]).includes(name.toLowerCase()),
    ),
  );
}

export const bodyExcerpt = (body: string): string =>
  body.length > EVIDENCE_BODY_CHARS
    ? `${body.slice(0, EVIDENCE_BODY_CHARS)}…[${body.length - EVIDENCE_BODY_CHARS} more characters]`
    : body;
