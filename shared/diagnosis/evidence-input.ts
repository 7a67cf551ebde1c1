// Reads what `diagnose` is given: evidence objects, a saved tenant result, or a saved run, tolerant of loose field types.
import { ENDPOINTS, type AuthMode, type Evidence, type EvidenceEndpoint, type TokenClaims } from '../core/evidence';
import type { ControlPlaneFacts } from '../probes/facts';
import type { DiagnoseContext } from './engine';

const AUTH_MODES: readonly AuthMode[] = ['app-only', 'delegated', 'basic', 'unknown'];

export class EvidenceInputError extends Error {}

/** One thing to diagnose: a call on its own, or a tenant's whole cycle. */
export interface DiagnosisInput {
  evidence: Evidence[];
  context: DiagnoseContext;
  /** What a person calls it: a saved tenant result's tenant and app. */
  label?: string;
}

/** How the answer is shaped: one findings object, or an array in the input's order. */
export interface ParsedInput {
  single: boolean;
  items: DiagnosisInput[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : isObject(value) || Array.isArray(value)
        ? JSON.stringify(value)
        : undefined;

function headers(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).flatMap(([name, v]) => {
      const rendered = Array.isArray(v) ? v.map(text).filter(Boolean).join(', ') : text(v);
      return rendered === undefined ? [] : [[name, rendered]];
    }),
  );
}

function status(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*\d{3}\s*$/.test(value)) return Number(value);
  return null;
}

function claims(value: unknown): TokenClaims | undefined {
  if (!isObject(value)) return undefined;
  const result: TokenClaims = {};
  for (const key of ['aud', 'iss', 'tid', 'appid', 'azp', 'appidacr', 'azpacr', 'idtyp', 'scp', 'ver'] as const) {
    const v = value[key];
    if (typeof v === 'string') result[key] = v;
  }
  for (const key of ['iat', 'nbf', 'exp'] as const) {
    const v = value[key];
    if (typeof v === 'number') result[key] = v;
    else if (typeof v === 'string' && /^\d+$/.test(v)) result[key] = Number(v);
  }
  const roles = value.roles;
  if (Array.isArray(roles)) result.roles = roles.filter((r): r is string => typeof r === 'string');
  else if (typeof roles === 'string') result.roles = roles.split(/[\s,]+/).filter(Boolean);
  return result;
}

/** One evidence object; fields of the wrong type are read as well as they can be, or ignored. */
export function toEvidence(value: unknown, where: string): Evidence {
  if (!isObject(value))
    throw new EvidenceInputError(
      `${where} is not evidence: expected an object with "endpoint", got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
    );
  const endpoint = value.endpoint;
  if (typeof endpoint !== 'string' || !ENDPOINTS.includes(endpoint.toLowerCase() as EvidenceEndpoint)) {
    throw new EvidenceInputError(
      `${where} is not evidence: "endpoint" must be one of ${ENDPOINTS.join(', ')}${endpoint === undefined ? ' (it is missing)' : `, not ${JSON.stringify(endpoint)}`}`,
    );
  }
  const evidence: Evidence = { endpoint: endpoint.toLowerCase() as EvidenceEndpoint };
  if (isObject(value.request)) {
    const r = value.request;
    const authMode =
      typeof r.authMode === 'string' && AUTH_MODES.includes(r.authMode as AuthMode)
        ? (r.authMode as AuthMode)
        : undefined;
    evidence.request = {
      ...(text(r.method) ? { method: text(r.method)! } : {}),
      ...(text(r.url) ? { url: text(r.url)! } : {}),
      ...(text(r.operation) ? { operation: text(r.operation)! } : {}),
      ...(authMode ? { authMode } : {}),
      ...(typeof r.impersonation === 'boolean' ? { impersonation: r.impersonation } : {}),
      ...(typeof r.mailbox === 'string' ? { mailbox: r.mailbox } : {}),
      headers: headers(r.headers),
    };
  }
  if (isObject(value.response)) {
    const r = value.response;
    evidence.response = { status: status(r.status), headers: headers(r.headers), body: text(r.body) ?? '' };
  } else if (typeof value.response === 'string') {
    evidence.response = { status: null, headers: {}, body: value.response };
  }
  if (isObject(value.error)) {
    const e = value.error;
    evidence.error = {
      name: text(e.name) ?? 'Error',
      message: text(e.message) ?? text(e) ?? '',
      ...(text(e.code) ? { code: text(e.code)! } : {}),
    };
  } else if (typeof value.error === 'string') {
    evidence.error = { name: 'Error', message: value.error };
  }
  const tokenClaims = claims(value.tokenClaims);
  if (tokenClaims) evidence.tokenClaims = tokenClaims;
  if (typeof value.observedAt === 'string' && !Number.isNaN(Date.parse(value.observedAt)))
    evidence.observedAt = value.observedAt;
  return evidence;
}

/** A tenant result saved from a run: its evidence is one cycle, and its control-plane facts count. */
function tenantInput(value: Record<string, unknown>, where: string): DiagnosisInput {
  const list = value.evidence as unknown[];
  const app = isObject(value.app) ? (text(value.app.name) ?? text(value.app.clientId)) : undefined;
  const tenant = text(value.name) ?? text(value.tenantId);
  return {
    ...(tenant ? { label: app ? `${tenant} (${app})` : tenant } : {}),
    evidence: list.map((e, i) => toEvidence(e, `${where}.evidence[${i}]`)),
    context: {
      ...(typeof value.tenantId === 'string' ? { tenantId: value.tenantId } : {}),
      ...(isObject(value.controlPlane) ? { controlPlane: value.controlPlane as unknown as ControlPlaneFacts } : {}),
    },
  };
}

const isTenantResult = (value: unknown): value is Record<string, unknown> =>
  isObject(value) && value.endpoint === undefined && Array.isArray(value.evidence);

/** Everything `diagnose` accepts, read into what the engine takes; anything else is an EvidenceInputError. */
export function parseDiagnosisInput(value: unknown, source: string): ParsedInput {
  if (isObject(value) && value.endpoint === undefined && Array.isArray(value.tenants)) {
    return {
      single: false,
      items: value.tenants.map((t, i) =>
        isTenantResult(t)
          ? tenantInput(t, `${source} tenants[${i}]`)
          : { evidence: [toEvidence(t, `${source} tenants[${i}]`)], context: {} },
      ),
    };
  }
  if (isTenantResult(value)) return { single: true, items: [tenantInput(value, source)] };
  if (Array.isArray(value)) {
    if (value.length === 0)
      throw new EvidenceInputError(`${source} is an empty array: give at least one evidence object`);
    return {
      single: false,
      items: value.map((e, i) =>
        isTenantResult(e)
          ? tenantInput(e, `${source}[${i}]`)
          : { evidence: [toEvidence(e, `${source}[${i}]`)], context: {} },
      ),
    };
  }
  return { single: true, items: [{ evidence: [toEvidence(value, source)], context: {} }] };
}
