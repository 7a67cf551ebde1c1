// Basic authentication against Exchange Online.
import { DOCS, FIXES } from '../fixes';
import { BASIC_AUTH_OFF } from '../../core/ews-timeline';
import { after, has, type Rule } from './rule-kit';

export const BASIC_AUTH_RULES: readonly Rule[] = [
  {
    id: 'basic-auth',
    cause: 'basic_auth_disabled',
    reads:
      '401 to a Basic (user name and password) request; a Basic-only WWW-Authenticate challenge; exchangelib "Invalid credentials" with a password',
    match: (s) => {
      if (s.endpoint === 'token' || s.endpoint === 'keyvault') return null;
      if (
        s.authMode === 'basic' &&
        (s.status === 401 ||
          s.status === 403 ||
          has(s, /Invalid credentials|Unauthorized|LogonDenied|user ?name (?:and|or) password|\bError 401\b/i))
      )
        return {
          // A wrong password gets the same 401 where Basic still works: only the service's answer or the date decide.
          confidence: s.basicChallenge || s.backendStatus === 401 || after(s, BASIC_AUTH_OFF) ? 'high' : 'medium',
          because: ['the request authenticated with a user name and password'],
        };
      if (s.status === 401 && s.basicChallenge && !s.bearerChallenge)
        return { confidence: 'high', because: ['WWW-Authenticate offers Basic only'] };
      if (has(s, /basic auth(?:entication)? (?:is )?(?:disabled|deprecated|turned off|blocked)/i))
        return { confidence: 'high', because: [] };
      if (
        s.authMode === 'unknown' &&
        has(s, /UnauthorizedError|Invalid credentials for|Wrong username or password/i) &&
        !has(s, /OAuth|Bearer|token/i)
      )
        return { confidence: 'medium', because: [] };
      return null;
    },
    summary: () =>
      'Exchange Online refused a user name and password: Basic authentication is switched off for EWS; apps must use OAuth.',
    fix: (t) => FIXES.basicAuth(t),
    docs: [DOCS.basicAuthRetirement, DOCS.ewsOAuth],
  },
  {
    id: 'basic-credentials-rejected',
    cause: 'other',
    detail: 'password_rejected',
    reads: 'a bare 401 to a Basic request: the second reading',
    match: (s) =>
      s.authMode === 'basic' && s.status === 401 && !s.basicChallenge && s.endpoint !== 'token'
        ? { confidence: 'low', because: [] }
        : null,
    summary: () =>
      'Or the server still takes Basic authentication (Exchange on-premises) and refused the password: it is wrong, expired, or the client did not send it.',
    fix: () => ['Check the account name and password the client sends, and whether the account is locked out.'],
    docs: [DOCS.basicAuthRetirement],
  },
];
