// Compact JWS (RS256/PS256) signing, verification and decoding for the simulator's tokens and client assertions.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { constants } from 'node:crypto';

export type JwtHeader = Record<string, unknown> & { alg?: string; x5t?: string; 'x5t#S256'?: string; kid?: string };
export type JwtClaims = Record<string, unknown>;

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function signJwt(header: JwtHeader, claims: JwtClaims, privateKey: KeyObject): string {
  const input = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', ...header }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), privateKey))}`;
}

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  signingInput: string;
  signature: Buffer;
}

/** Decodes without verifying; returns null for anything that is not a three-part JWS with JSON header and claims. */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(claims)) return null;
    return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return null;
  }
}

/** Checks the signature of a decoded JWS with RS256 or PS256 (what MSAL uses for certificate assertions). */
export function verifyJwtSignature(jwt: DecodedJwt, publicKey: KeyObject | string): boolean {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const data = Buffer.from(jwt.signingInput);
  switch (jwt.header.alg) {
    case 'RS256':
      return verify('sha256', data, key, jwt.signature);
    case 'PS256':
      return verify(
        'sha256',
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        jwt.signature,
      );
    default:
      return false;
  }
}

export const thumbprint = (der: Buffer, algorithm: 'sha1' | 'sha256') => createHash(algorithm).update(der).digest();

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
