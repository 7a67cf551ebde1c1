// How Exchange decides on EWS access by date and setting, and how mailbox scoping combines grants (pure, no sockets).
import { EWS_POLICY_REASON, ewsPolicyBlock, mailboxScope } from '../../sim/exchange-policy';
import { parseScenario, type MailboxSpec, type TenantSpec } from '../../sim/scenario';
import { defaultScenario } from '../../sim/catalogue';

const APP = '4c57dc1b-fff4-4ee3-8104-08c997f1289b';
const OTHER = '9f2d3c4b-1a2b-4c3d-8e4f-5a6b7c8d9e0f';
const base = parseScenario(defaultScenario()).tenants[0]!;
const mailbox: MailboxSpec = {
  address: 'canary@contoso.onmicrosoft.com',
  license: 'E3',
  ewsEnabled: null,
  state: 'active',
  inboxItems: 3,
};
const tenant = (exchange: Partial<TenantSpec['exchange']>, extra: Partial<TenantSpec> = {}): TenantSpec => ({
  ...base,
  ...extra,
  exchange: {
    ewsEnabled: null,
    ewsAllowedAppIds: null,
    ewsApplicationAccessPolicy: null,
    ewsAllowList: [],
    ewsBlockList: [],
    ...exchange,
  },
});
const BEFORE = Date.parse('2026-09-15T00:00:00Z');
const AFTER = Date.parse('2026-11-21T00:00:00Z');
const SHUTDOWN = Date.parse('2027-04-01T00:00:00Z');
const { disabled, blocked } = EWS_POLICY_REASON;

test.each<[string, Partial<TenantSpec['exchange']>, Partial<MailboxSpec>, number, string, string | null]>([
  ['org Null is allowed', { ewsEnabled: null }, {}, AFTER, 'python-requests', null],
  ['org False blocks', { ewsEnabled: false }, {}, AFTER, 'x', disabled],
  [
    'mailbox False blocks even with org True',
    { ewsEnabled: true, ewsAllowedAppIds: [APP] },
    { ewsEnabled: false },
    AFTER,
    'x',
    disabled,
  ],
  [
    'True with the app listed is allowed',
    { ewsEnabled: true, ewsAllowedAppIds: [APP.toUpperCase()] },
    {},
    AFTER,
    'x',
    null,
  ],
  ['True with another app listed blocks', { ewsEnabled: true, ewsAllowedAppIds: [OTHER] }, {}, BEFORE, 'x', blocked],
  [
    'True with an empty list is allowed before enforcement',
    { ewsEnabled: true, ewsAllowedAppIds: [] },
    {},
    BEFORE,
    'x',
    null,
  ],
  [
    'True with an empty list blocks after enforcement',
    { ewsEnabled: true, ewsAllowedAppIds: [] },
    {},
    AFTER,
    'x',
    blocked,
  ],
  [
    'a user agent outside EnforceAllowList blocks',
    { ewsApplicationAccessPolicy: 'EnforceAllowList', ewsAllowList: ['Outlook*'] },
    {},
    AFTER,
    'exchangelib/4.9.0',
    blocked,
  ],
  [
    'a user agent matching the allow list passes',
    { ewsApplicationAccessPolicy: 'EnforceAllowList', ewsAllowList: ['exchangelib/*'] },
    {},
    AFTER,
    'exchangelib/4.9.0',
    null,
  ],
  [
    'a user agent matching EnforceBlockList blocks',
    { ewsApplicationAccessPolicy: 'EnforceBlockList', ewsBlockList: ['*curl*'] },
    {},
    AFTER,
    'curl/8.0',
    blocked,
  ],
  ['an F3-only mailbox keeps EWS before enforcement', {}, { license: 'F3' }, BEFORE, 'x', null],
  ['an F3-only mailbox loses EWS on enforcement', {}, { license: 'F3' }, AFTER, 'x', disabled],
  ['nothing is allowed after the shutdown', { ewsEnabled: true, ewsAllowedAppIds: [APP] }, {}, SHUTDOWN, 'x', disabled],
])('%s', (_what, exchange, mailboxChange, now, userAgent, expected) => {
  expect(ewsPolicyBlock(tenant(exchange), { ...mailbox, ...mailboxChange }, APP, userAgent, now)).toBe(expected);
});

test.each<[string, Partial<TenantSpec>, boolean, string]>([
  ['an Entra grant without policies reaches every mailbox', {}, true, 'allowed'],
  [
    'RestrictAccess keeps the app to its scope',
    {
      applicationAccessPolicies: [
        { appId: APP, accessRight: 'RestrictAccess', scope: ['other@contoso.onmicrosoft.com'] },
      ],
    },
    true,
    'access-policy-denied',
  ],
  [
    'RestrictAccess including the mailbox allows it',
    {
      applicationAccessPolicies: [
        { appId: APP, accessRight: 'RestrictAccess', scope: [mailbox.address.toUpperCase()] },
      ],
    },
    true,
    'allowed',
  ],
  [
    'DenyAccess on the mailbox denies it',
    { applicationAccessPolicies: [{ appId: APP, accessRight: 'DenyAccess', scope: [mailbox.address] }] },
    true,
    'access-policy-denied',
  ],
  [
    'a policy for another app does not apply',
    { applicationAccessPolicies: [{ appId: OTHER, accessRight: 'RestrictAccess', scope: [] }] },
    true,
    'allowed',
  ],
  [
    'an RBAC assignment scoped elsewhere is out of scope',
    { rbacForApps: [{ appId: APP, role: 'Application Mail.Read', scope: ['other@contoso.onmicrosoft.com'] }] },
    false,
    'rbac-out-of-scope',
  ],
  [
    'an organization-wide RBAC assignment allows',
    { rbacForApps: [{ appId: APP, role: 'Application Mail.Read', scope: 'organization' }] },
    false,
    'allowed',
  ],
  [
    'an unscoped Entra grant wins over a scoped RBAC one (union)',
    { rbacForApps: [{ appId: APP, role: 'Application Mail.Read', scope: [] }] },
    true,
    'allowed',
  ],
  ['no grant at all', {}, false, 'no-grant'],
])('%s', (_what, extra, entraGranted, expected) => {
  expect(mailboxScope(tenant({}, extra), APP, mailbox.address, entraGranted, ['Application Mail.Read'])).toBe(expected);
});
