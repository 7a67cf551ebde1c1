// Tenant definitions: defaults, and messages that name the tenant and the field.
import { parseTenantsFile } from '../../shared/core/tenants';
import { parseTagFilter, withTag } from '../../shared/core/tags';

const good = {
  tenantId: 'contoso.onmicrosoft.com',
  name: 'Contoso',
  clientId: '4c57dc1b-fff4-4ee3-8104-08c997f1289b',
  credential: { type: 'secret', keyVaultSecretName: 'contoso-app-credential' },
  canaries: ['canary@contoso.onmicrosoft.com'],
};

test('a minimal definition gets the worldwide cloud and every check', () => {
  const [tenant] = parseTenantsFile({ tenants: [good] }).tenants;
  expect(tenant).toMatchObject({
    cloud: 'worldwide',
    checks: {
      ews: { enabled: true, impersonation: true, auth: 'oauth' },
      graph: { enabled: true },
      controlPlane: 'auto',
    },
  });
});

test.each([
  [{ ...good, tenantId: 'not a tenant' }, /tenants\[0\] \(Contoso\)\.tenantId/],
  [{ ...good, clientId: 'abc' }, /tenants\[0\] \(Contoso\)\.clientId: expected a GUID/],
  [{ ...good, canaries: [] }, /tenants\[0\] \(Contoso\)\.canaries: name at least one canary mailbox/],
  [{ ...good, canaries: ['not-an-address'] }, /tenants\[0\] \(Contoso\)\.canaries\.0: expected an SMTP address/],
  [{ ...good, credential: { type: 'password' } }, /tenants\[0\] \(Contoso\)\.credential/],
  [
    { ...good, credential: { type: 'secret', keyVaultSecretName: 'has spaces' } },
    /credential\.keyVaultSecretName: Key Vault secret names are 1-127 letters, digits and dashes/,
  ],
  [{ ...good, cloud: 'mars' }, /tenants\[0\] \(Contoso\)\.cloud/],
  [{ ...good, surprise: true }, /tenants\[0\] \(Contoso\)/],
  [{ ...good, tags: { Tier: 'gold' } }, /tenants\[0\] \(Contoso\)\.tags\.Tier: tag names are 1-32 lower-case letters/],
  [{ ...good, tags: { tier: 'gold\u001b[31m' } }, /tags\.tier: tag values may not hold control characters/],
  [{ ...good, tags: { tier: 'x'.repeat(65) } }, /tags\.tier/],
  [
    { ...good, tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'x'])) },
    /tags: at most 10 tags/,
  ],
])('an invalid definition is refused with its tenant and field named (%#)', (tenant, message) => {
  expect(() => parseTenantsFile({ tenants: [tenant] })).toThrow(message);
});

test('tags are kept as given', () => {
  const [tenant] = parseTenantsFile({
    tenants: [{ ...good, tags: { customer: 'Contoso Ltd', tier: 'gold' } }],
  }).tenants;
  expect(tenant!.tags).toEqual({ customer: 'Contoso Ltd', tier: 'gold' });
});

test('the same tenant and app twice is refused', () => {
  expect(() => parseTenantsFile({ tenants: [good, { ...good, name: 'Contoso again' }] })).toThrow(
    /tenants\[1\] \(Contoso again\): the same tenantId and clientId as tenants\[0\]/,
  );
});

test('an empty or shapeless file says what is missing', () => {
  expect(() => parseTenantsFile({ tenants: [] })).toThrow(/tenants: list at least one tenant/);
  expect(() => parseTenantsFile([])).toThrow(/invalid tenant definitions/);
});

test.each([
  ['tier:gold', { name: 'tier', value: 'gold' }],
  ['customer:Contoso Ltd: EU', { name: 'customer', value: 'Contoso Ltd: EU' }],
  ['Tier:gold', null],
  [':gold', null],
  ['tier:', null],
  ['tier', null],
  [`tier:${'x'.repeat(65)}`, null],
])('the tag filter %j reads as %j', (text, expected) => expect(parseTagFilter(text)).toEqual(expected));

test('a tag keeps the whole tenant any of whose apps carries it', () => {
  const entries = [
    { tenantId: 'A', app: 1, tags: { tier: 'gold' } },
    { tenantId: 'a', app: 2 },
    { tenantId: 'b', app: 3, tags: { tier: 'silver' } },
  ];
  expect(withTag(entries, { name: 'tier', value: 'gold' }).map((e) => e.app)).toEqual([1, 2]);
});
