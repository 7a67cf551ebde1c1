// Mailboxes that are not there: no mailbox, no licence, on-premises.
import { DOCS, FIXES, type FixTarget } from '../fixes';
import type { Signals } from '../signals';
import { code, type CycleEvidence, has, mailboxOf, type Match, notLicensedSummary, type Rule } from './rule-kit';

/** Graph says more about a missing mailbox than EWS or the admin API: a licence or an on-premises mailbox. */
function missingMailboxDetail(s: Signals, cycle: CycleEvidence): Pick<Match, 'detail' | 'because'> {
  const graph = cycle.all.find(
    (o) =>
      o.endpoint === 'graph' &&
      o.mailbox !== undefined &&
      o.mailbox.toLowerCase() === s.mailbox?.toLowerCase() &&
      /MailboxNotEnabledForRESTAPI|inactive, soft-deleted/i.test(o.text),
  );
  return graph
    ? {
        detail: 'mailbox_not_licensed',
        because: ['Graph finds the user but no usable mailbox (MailboxNotEnabledForRESTAPI)'],
      }
    : { because: [] };
}

const noMailboxSummary = (s: Signals, m: Match) =>
  m.detail === 'mailbox_not_licensed'
    ? notLicensedSummary(s)
    : `Exchange has no mailbox for ${mailboxOf(s)} (a typo, a removed user, a mail user or guest, or a secondary address).`;

const missingMailboxFix = (t: FixTarget, _s: Signals, m: Match) =>
  m.detail === 'mailbox_not_licensed'
    ? [...FIXES.checkMailbox(t), `Assign an Exchange Online licence to the user if it has none: ${DOCS.assignLicenses}`]
    : FIXES.checkMailbox(t);

export const MISSING_MAILBOX_RULES: readonly Rule[] = [
  {
    id: 'ews-no-mailbox',
    cause: 'mailbox_not_found',
    detail: 'no_such_mailbox',
    reads:
      'ErrorNonExistentMailbox "The SMTP address has no mailbox associated with it." / ErrorInvalidSmtpAddress / ErrorNonPrimarySmtpAddress / ErrorInvalidLicense "The license is invalid for this mailbox."; Graph on the same mailbox',
    match: (s, cycle) => {
      if (
        code(s, 'ErrorNonExistentMailbox', 'ErrorInvalidSmtpAddress', 'ErrorMailboxNotFound') ||
        has(s, /has no mailbox associated with it/i)
      )
        return { confidence: 'high', ...missingMailboxDetail(s, cycle) };
      if (code(s, 'ErrorInvalidLicense') || has(s, /doesn't have a valid license|license is invalid for this mailbox/i))
        return {
          confidence: 'high',
          detail: 'mailbox_not_licensed',
          because: ['Exchange says the mailbox has no valid licence (ErrorInvalidLicense)'],
        };
      if (code(s, 'ErrorNonPrimarySmtpAddress'))
        return { confidence: 'medium', detail: 'not_primary_smtp_address', because: [] };
      return null;
    },
    summary: noMailboxSummary,
    fix: missingMailboxFix,
    docs: [DOCS.ewsResponseCodes],
  },
  {
    id: 'admin-api-no-mailbox',
    cause: 'mailbox_not_found',
    detail: 'no_such_mailbox',
    reads: 'Exchange admin API ManagementObjectNotFoundException "couldn\'t be found" for a mailbox',
    match: (s, cycle) =>
      s.endpoint === 'adminapi' && s.mailbox && has(s, /ManagementObjectNotFoundException|couldn't be found/i)
        ? { confidence: 'high', ...missingMailboxDetail(s, cycle) }
        : null,
    summary: noMailboxSummary,
    fix: missingMailboxFix,
    docs: [DOCS.setCasMailbox],
  },
  {
    id: 'graph-no-user',
    cause: 'mailbox_not_found',
    detail: 'no_such_mailbox',
    reads: 'Graph ErrorInvalidUser "The requested user … is invalid." / Request_ResourceNotFound / 404 on /users/{id}',
    match: (s) => {
      if (code(s, 'ErrorInvalidUser') || has(s, /The requested user '.*' is invalid/i))
        return { confidence: 'high', because: [] };
      if (code(s, 'Request_ResourceNotFound')) return { confidence: 'medium', because: [] };
      return null;
    },
    summary: (s) => `No user ${mailboxOf(s)} exists in the tenant, so Graph has no mailbox for it.`,
    fix: (t) => FIXES.checkMailbox(t),
    docs: [DOCS.graphErrors],
  },
  {
    id: 'graph-mailbox-not-enabled',
    cause: 'mailbox_not_found',
    detail: 'mailbox_not_licensed',
    reads:
      'Graph MailboxNotEnabledForRESTAPI "The mailbox is either inactive, soft-deleted, or is hosted on-premise." / "REST API is not yet supported for this mailbox." / ResourceNotFound "Resource could not be discovered."',
    match: (s) => {
      if (
        code(s, 'MailboxNotEnabledForRESTAPI', 'MailboxNotSupportedForRESTAPI') ||
        has(s, /inactive, soft-deleted, or is hosted on-premise|REST API is not yet supported for this mailbox/i)
      )
        return { confidence: 'high', because: [] };
      if (s.endpoint === 'graph' && code(s, 'ResourceNotFound') && has(s, /could not be discovered/i))
        return { confidence: 'medium', because: [] };
      return null;
    },
    summary: notLicensedSummary,
    fix: (t, s) => missingMailboxFix(t, s, { confidence: 'high', because: [], detail: 'mailbox_not_licensed' }),
    docs: [DOCS.graphMailApi, DOCS.assignLicenses],
  },
  {
    id: 'graph-404-user',
    cause: 'mailbox_not_found',
    detail: 'no_such_mailbox',
    reads: 'Graph 404 on a /users/{id} path with no error code to read',
    match: (s) =>
      s.endpoint === 'graph' && s.status === 404 && !s.graphCode && s.mailbox
        ? { confidence: 'medium', because: [] }
        : null,
    summary: (s) => `Graph answered 404 for ${mailboxOf(s)}: no such user or mailbox.`,
    fix: (t) => FIXES.checkMailbox(t),
    docs: [DOCS.graphErrors],
  },
];
