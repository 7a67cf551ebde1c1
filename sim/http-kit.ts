// Plain request/response values that the simulated services take and return, so they stay testable without sockets.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SimRequest {
  method: string;
  /** Path without the service prefix, e.g. "/v1.0/organization" for Graph. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Base URL of the simulator, for links that point back at it. */
  baseUrl: string;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
  /** Called once the response has been sent or abandoned (releases concurrency slots). */
  onDone?: () => void;
  /** The tenant the response concerns, for per-tenant fault rules. */
  tenantId?: string;
  /** Called when the service really did its work: not when an injected error answered in its place. */
  onServed?: () => void;
}

export const header = (req: SimRequest, name: string): string | undefined => {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

export const json = (status: number, body: unknown, headers: Record<string, string | string[]> = {}): SimResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export const empty = (status: number, headers: Record<string, string | string[]> = {}): SimResponse => ({
  status,
  headers: { 'content-length': '0', ...headers },
  body: '',
});

export const newRequestId = (): string => randomUUID();

/** Entra's timestamp format in error bodies: "2026-11-21 09:00:00Z". */
export const entraTimestamp = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');

/** A scalar from parsed JSON or XML as text; anything else (objects, arrays, null) as the fallback. */
export const scalarText = (value: unknown, fallback = ''): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : fallback;
