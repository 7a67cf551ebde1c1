// The simulated twins `check --sim` builds from a tenants file: one per tenant, each answering to the names the file uses.
import { parseTenantsFile } from '../../shared/core/tenants';
import { parseScenario } from '../../sim/scenario';
import { twinScenario } from '../../sim/twin-scenario';

const entry = (tenantId: string, clientId: string, canary: string) => ({
  tenantId,
  name: tenantId,
  clientId,
  credential: { type: 'secret', keyVaultSecretName: `s-${clientId.slice(0, 8)}` },
  canaries: [canary],
});

test('a tenant named by its domain keeps that domain, even when a tenant named by GUID has canaries there', () => {
  const { tenants } = parseTenantsFile({
    tenants: [
      entry('0b7c3c1e-6a44-4f5e-9d1c-2b8f7e6a5d4c', '11111111-2222-4333-8444-555555555555', 'a@contoso.com'),
      entry('contoso.com', '66666666-7777-4888-9999-aaaaaaaaaaaa', 'b@contoso.com'),
    ],
  });
  const twins = parseScenario(twinScenario(tenants)).tenants;
  expect(twins.map((t) => t.domain)).toEqual(['twin2.contoso.com', 'contoso.com']);
  expect(twins[0]!.tenantId).toBe('0b7c3c1e-6a44-4f5e-9d1c-2b8f7e6a5d4c');
});

test('the entries of one tenant share its twin, each app registered with the credential kind the file gives', () => {
  const { tenants } = parseTenantsFile({
    tenants: [
      entry('fabrikam.com', '11111111-2222-4333-8444-555555555555', 'a@fabrikam.com'),
      {
        ...entry('fabrikam.com', '66666666-7777-4888-9999-aaaaaaaaaaaa', 'b@fabrikam.com'),
        credential: { type: 'certificate', keyVaultSecretName: 'crm' },
      },
    ],
  });
  const [twin] = parseScenario(twinScenario(tenants)).tenants;
  expect(twin!.apps.map((a) => [a.clientId, a.secrets.length, a.certificates.length])).toEqual([
    ['11111111-2222-4333-8444-555555555555', 1, 0],
    ['66666666-7777-4888-9999-aaaaaaaaaaaa', 0, 1],
  ]);
  expect(twin!.mailboxes.map((m) => m.address)).toEqual(['a@fabrikam.com', 'b@fabrikam.com']);
});
