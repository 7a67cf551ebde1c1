// `npx tenant-health watch` against Azurite: the tenants a real deployment's timer checks, added, listed and removed.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startAzurite, type RunningAzurite } from '../../cli/azurite';
import { TableResultStore } from '../../shared/storage/result-store';
import { BIN } from '../helpers/serving-command';

let azurite: RunningAzurite;
let dir: string;
beforeAll(async () => {
  [azurite, dir] = await Promise.all([startAzurite(), mkdtemp(join(tmpdir(), 'th-watch-'))]);
}, 60_000);
afterAll(() => azurite?.close());

const tenant = (tenantId: string, name: string) => ({
  tenantId,
  name,
  clientId: '4c57dc1b-fff4-4ee3-8104-08c997f1289b',
  credential: { type: 'certificate', keyVaultSecretName: `${name.toLowerCase().replace(/\W+/g, '-')}-app` },
  canaries: [`canary@${tenantId}`],
});

async function tenantsFile(name: string, tenants: unknown[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify({ tenants }));
  return path;
}

async function watch(
  args: string[],
  env: Record<string, string> = { TENANT_HEALTH_STORAGE: azurite.connectionString },
) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, 'watch', ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('watching a tenants file adds then updates, the timer sees them, and --remove stops watching one', async () => {
  const file = await tenantsFile('two.json', [
    tenant('contoso.onmicrosoft.com', 'Contoso'),
    tenant('fabrikam.onmicrosoft.com', 'Fabrikam'),
  ]);
  expect(await watch(['--config', file])).toEqual(
    expect.objectContaining({
      code: 0,
      stdout: expect.stringMatching(/^watching 2 apps in 2 tenants from .*two\.json: 2 added, 0 updated/),
    }),
  );
  expect(JSON.parse((await watch(['--config', file, '--json'])).stdout)).toEqual(
    expect.objectContaining({ added: 0, updated: 2 }),
  );

  const store = TableResultStore.in(azurite.connectionString);
  expect((await store.watched()).tenants.map((t) => t.name).sort()).toEqual(['Contoso', 'Fabrikam']);
  const listed = JSON.parse((await watch(['--list', '--json'])).stdout) as {
    watched: { name: string; credential: string }[];
    invalid: unknown[];
  };
  expect(listed.watched.map((t) => [t.name, t.credential])).toEqual([
    ['Contoso', 'certificate'],
    ['Fabrikam', 'certificate'],
  ]);
  expect((await watch(['--list'])).stdout).toMatch(
    /^2 watched apps\nContoso\s+contoso\.onmicrosoft\.com\s+[0-9a-f-]{36}\s+certificate\s+1 canaries/,
  );

  expect(await watch(['--remove', 'Fabrikam.onmicrosoft.com'])).toEqual(expect.objectContaining({ code: 0 }));
  expect((await store.watched()).tenants.map((t) => t.name)).toEqual(['Contoso']);
  expect(await watch(['--remove', 'fabrikam.onmicrosoft.com'])).toEqual(
    expect.objectContaining({
      code: 2,
      stderr: expect.stringMatching(/tenant fabrikam\.onmicrosoft\.com is not watched/),
    }),
  );
}, 60_000);

test.each([
  [['--list'], {}, /no storage: pass --storage CONNECTION_STRING, or set TENANT_HEALTH_STORAGE/],
  [
    ['--list', '--storage', 'AccountName=x;AccountKey=c2VjcmV0LWtleQ=='],
    {},
    /--storage is not a usable storage connection string/,
  ],
  [[], undefined, /give exactly one of --config FILE/],
  [['--list', '--remove', 'contoso.onmicrosoft.com'], undefined, /give exactly one of/],
  [['--remove', "x' or 1 eq 1"], undefined, /--remove: "x' or 1 eq 1" is not a tenant id/],
])(
  'bad input %j exits 2 naming the problem and never echoes a key',
  async (args, env, message) => {
    const result = await watch(args, env);
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('c2VjcmV0');
  },
  30_000,
);

test('a tenant listed with two apps is watched as two entries, and one app can be removed alone', async () => {
  const crm = '0b6f1e5a-3c1d-4f62-9a57-6f0c2e1d8b44';
  const file = await tenantsFile('two-apps.json', [
    tenant('northwind.onmicrosoft.com', 'Northwind'),
    { ...tenant('NORTHWIND.onmicrosoft.com', 'Northwind CRM'), clientId: crm },
  ]);
  expect((await watch(['--config', file])).stdout).toMatch(/^watching 2 apps in 1 tenant from /);
  const store = TableResultStore.in(azurite.connectionString);
  expect((await store.watchedEntries('northwind.onmicrosoft.com')).map((t) => t.name).sort()).toEqual([
    'Northwind',
    'Northwind CRM',
  ]);
  expect(await watch(['--remove', 'northwind.onmicrosoft.com', '--app', crm])).toEqual(
    expect.objectContaining({ code: 0, stdout: expect.stringMatching(new RegExp(`no longer watching app ${crm}`)) }),
  );
  expect((await store.watchedEntries('northwind.onmicrosoft.com')).map((t) => t.name)).toEqual(['Northwind']);
  expect(await watch(['--remove', 'northwind.onmicrosoft.com', '--app', crm])).toEqual(
    expect.objectContaining({ code: 2, stderr: expect.stringMatching(/app .* is not watched in tenant northwind/) }),
  );

  const same = await tenantsFile('same-app-twice.json', [
    tenant('northwind.onmicrosoft.com', 'Northwind'),
    tenant('northwind.onmicrosoft.com', 'Northwind again'),
  ]);
  expect(await watch(['--config', same])).toEqual(
    expect.objectContaining({
      code: 2,
      stderr: expect.stringMatching(/the same tenantId and clientId as tenants\[0\]/),
    }),
  );
}, 30_000);
