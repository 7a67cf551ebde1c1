// Evidence of one attempted call, in the shape of docs/contracts/diagnosis.md: plain, serialisable, secret-free.
/** Where a call went: the one list of endpoints (the OpenAPI document's and the alert payload's enums are checked against it). */
export const ENDPOINTS = ['ews', 'graph', 'token', 'adminapi', 'keyvault'] as const;
export type EvidenceEndpoint = (typeof ENDPOINTS)[number];
export type AuthMode = 'app-only' | 'delegated' | 'basic' | 'unknown';

export interface Evidence {
  endpoint: EvidenceEndpoint;
  request?: {
    method?: string;
    url?: string;
    operation?: string;
    authMode?: AuthMode;
    impersonation?: boolean;
    /** The mailbox the call was about, when it was about one. */
    mailbox?: string;
    /** Allow-listed request headers only: never Authorization or a secret. */
    headers?: Record<string, string>;
  };
  response?: {
    status: number | null;
    /** Allow-listed response headers, names in lower case. */
    headers: Record<string, string>;
    /** The body as received, cut to a bounded excerpt. */
    body: string;
  };
  /** What the client threw instead of an answer; host is where the call was going (a network error names it). */
  error?: { name: string; message: string; code?: string; host?: string };
  /** Decoded claims of the access token used; never the token itself. */
  tokenClaims?: TokenClaims;
  observedAt?: string;
  /** What the probe did about a throttling answer (waited once, or could not within the deadline). */
  retry?: { waitMs: number; honoured: boolean };
}

export interface TokenClaims {
  aud?: string;
  iss?: string;
  tid?: string;
  appid?: string;
  azp?: string;
  appidacr?: string;
  azpacr?: string;
  idtyp?: string;
  roles?: string[];
  scp?: string;
  iat?: number;
  nbf?: number;
  exp?: number;
  ver?: string;
  /** The app's display name, as Entra puts it in v1 access tokens (Exchange's and Graph's). */
  app_displayname?: string;
}

const CLAIMS: (keyof TokenClaims)[] = [
  'aud',
  'iss',
  'tid',
  'appid',
  'azp',
  'appidacr',
  'azpacr',
  'idtyp',
  'roles',
  'scp',
  'iat',
  'nbf',
  'exp',
  'ver',
  'app_displayname',
];

/** The diagnostic claims of a JWT access token (unverified: for explaining failures only). */
export function decodeClaims(accessToken: string): TokenClaims | undefined {
  const payload = accessToken.split('.')[1];
  if (!payload) return undefined;
  try {
    const all = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    return Object.fromEntries(CLAIMS.filter((c) => all[c] !== undefined).map((c) => [c, all[c]]));
  } catch {
    return undefined;
  }
}
