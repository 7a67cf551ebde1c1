// The token reached the service but was not accepted: expiry, audience, auth strength.
import { DOCS, FIXES } from '../fixes';
import { audienceMismatch, audienceResource } from '../signals';
import { has, isAuthFailure, type Rule } from './rule-kit';

export const TOKEN_ACCEPTANCE_RULES: readonly Rule[] = [
  {
    id: 'token-expired-by-claims',
    cause: 'token_expired',
    detail: 'token_used_after_expiry',
    reads: 'token claim exp earlier than observedAt, on a 401',
    // An expired token is refused with 401; a 403 means the token was accepted and something else refused.
    match: (s) =>
      s.claims?.exp !== undefined &&
      s.observedAt !== undefined &&
      s.claims.exp < s.observedAt &&
      (s.status === 401 || (s.status === null && s.failed)) &&
      s.endpoint !== 'token'
        ? {
            confidence: 'high',
            because: [
              `token exp ${new Date(s.claims.exp * 1000).toISOString()} is before the call at ${new Date(s.observedAt * 1000).toISOString()}`,
            ],
          }
        : null,
    summary: () => 'The access token had expired when it was used.',
    fix: () => FIXES.refreshToken(),
    docs: [DOCS.accessTokens],
  },
  {
    id: 'token-expired-message',
    cause: 'token_expired',
    detail: 'token_used_after_expiry',
    reads: '"Lifetime validation failed, the token is expired." / "Access token has expired" / IDX10223',
    match: (s) => {
      if (
        has(
          s,
          /Lifetime validation failed|token is expired|Access token has expired|token has expired|IDX10223|ExpiredAuthenticationToken|reason code: 80049228/i,
        )
      )
        return { confidence: 'high', because: [] };
      if (has(s, /missing, malformed or expired/i)) return { confidence: 'medium', because: [] };
      return null;
    },
    summary: (_s, m) =>
      m.confidence === 'high'
        ? 'The service rejected the access token as expired.'
        : "The service rejected the access token as missing, malformed or expired; the token's exp claim against the call's time tells which.",
    fix: () => FIXES.refreshToken(),
    docs: [DOCS.accessTokens],
  },
  {
    id: 'audience-by-claims',
    cause: 'wrong_audience',
    reads: 'token claim aud against the resource called, on a 401/403',
    match: (s) => {
      const aud = audienceMismatch(s);
      if (!aud || !isAuthFailure(s)) return null;
      const detail =
        s.resource === 'exchange' && audienceResource(aud) === 'graph'
          ? 'graph_token_sent_to_ews'
          : s.resource === 'graph' && audienceResource(aud) === 'exchange'
            ? 'exchange_token_sent_to_graph'
            : 'token_for_other_resource';
      return {
        confidence: 'high',
        detail,
        because: [
          `token aud ${aud}, but the call went to ${s.resource === 'exchange' ? 'Exchange Online' : 'Microsoft Graph'}`,
        ],
      };
    },
    summary: (s) =>
      `The token presented was issued for ${s.claims?.aud ?? 'another resource'}, not for ${s.resource === 'exchange' ? 'Exchange Online (https://outlook.office365.com)' : 'Microsoft Graph (https://graph.microsoft.com)'}.`,
    fix: (t) => FIXES.tokenScope(t),
    docs: [DOCS.accessTokens, DOCS.ewsOAuth],
  },
  {
    id: 'audience-message',
    cause: 'wrong_audience',
    detail: 'token_for_other_resource',
    reads: 'x-ms-diagnostics 2000003, "Invalid audience", InvalidAudienceForResource, IDX10214',
    match: (s) =>
      s.diagnostics?.code === 2000003 ||
      has(s, /audience claim value is invalid|Invalid audience|InvalidAudienceForResource|IDX10214/i)
        ? { confidence: 'high', because: [] }
        : null,
    summary: () => 'The service rejected the token because it was issued for another resource (its aud claim).',
    fix: (t) => FIXES.tokenScope(t),
    docs: [DOCS.accessTokens, DOCS.ewsOAuth],
  },
  {
    id: 'auth-strength',
    cause: 'other',
    detail: 'auth_strength_too_weak',
    reads: 'x-ms-diagnostics 2000010 / insufficient_auth_strength',
    match: (s) =>
      s.diagnostics?.code === 2000010 || has(s, /insufficient_auth_strength|authentication method that is too weak/i)
        ? { confidence: 'high', because: [] }
        : null,
    summary: () =>
      'The token was obtained with a credential too weak for this resource (a client secret where a certificate is required).',
    fix: (t) => FIXES.certificate(t),
    docs: [DOCS.certificateCredentials],
  },
];
