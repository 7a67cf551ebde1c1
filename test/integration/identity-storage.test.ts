// Identity-based storage end to end: Azurite on HTTPS demanding OAuth bearer tokens (as an account with shared-key
// access off does), and the Function App's timer, queue worker and status routes running on it with no key anywhere,
// signed in through the managed identity endpoint, in a process of their own that trusts the test's certificate.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { startAzurite, type RunningAzurite } from '../../cli/azurite';
import { readSettings, storageConnectionOf } from '../../shared/core/settings';
import { generateCertificate } from '../../sim/certificates';
import { tenantDefinitionsFor } from '../../sim/demo-tenants';
import type { SimulatedCloud } from '../../sim/server';
import { startSim } from '../helpers/sim';

const HOST = join(__dirname, '../helpers/identity-storage-host.js');
const dir = mkdtempSync(join(tmpdir(), 'th-identity-storage-'));
const certPath = join(dir, 'azurite.crt');
const keyPath = join(dir, 'azurite.key');
let azurite: RunningAzurite;
let sim: SimulatedCloud;

beforeAll(async () => {
  const certificate = generateCertificate('127.0.0.1', Date.now() - 60_000, Date.now() + 86_400_000, {
    serverIps: ['127.0.0.1'],
  });
  writeFileSync(certPath, certificate.certificatePem);
  writeFileSync(keyPath, certificate.privateKeyPem);
  azurite = await startAzurite({ oauth: { certPath, keyPath } });
  sim = await startSim(undefined, { realClock: true });
}, 60_000);

afterAll(async () => {
  await Promise.all([azurite?.close(), sim?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

interface HostRun {
  problems: string[];
  connection: unknown;
  delivered: number;
  answers: Record<'summary' | 'detail' | 'badge', { status: number; body: unknown }>;
  logs: string[];
}

async function runHost(env: Record<string, string>): Promise<{ code: number | null; run?: HostRun; stderr: string }> {
  const child = spawn(process.execPath, [HOST], {
    // Only what a Function App's environment would hold: no AzureWebJobsStorage connection string, no account key.
    env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: certPath, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  const last = stdout.trim().split('\n').pop();
  return { code, ...(code === 0 && last ? { run: JSON.parse(last) as HostRun } : {}), stderr };
}

const identitySettings = (prefix = 'AzureWebJobsStorage') => ({
  [`${prefix}__tableServiceUri`]: azurite.tableEndpoint,
  [`${prefix}__queueServiceUri`]: azurite.queueEndpoint,
  [`${prefix}__credential`]: 'managedidentity',
  [`${prefix}__clientId`]: sim.world.scenario.managedIdentity.clientId,
  IDENTITY_ENDPOINT: sim.endpoints.identity,
  IDENTITY_HEADER: sim.endpoints.identityHeader,
  KEY_VAULT_URL: sim.endpoints.keyvault,
  TENANT_HEALTH_ALLOW_LOOPBACK: 'true',
  SIM_BASE_URL: sim.baseUrl,
  CHECK_QUEUE: 'identity-checks',
});

test('the storage account takes bearer tokens only: a call without one, or with one for another audience, is refused', async () => {
  const agent = new Agent({ connect: { ca: readFileSync(certPath) } });
  const token = (await (
    await fetch(`${sim.endpoints.identity}?resource=https://vault.azure.net&api-version=2019-08-01`, {
      headers: { 'X-IDENTITY-HEADER': sim.endpoints.identityHeader },
    })
  ).json()) as { access_token: string };
  try {
    const tables = `${azurite.tableEndpoint}/Tables`;
    const anonymous = await request(tables, { dispatcher: agent, headers: { accept: 'application/json' } });
    expect(anonymous.statusCode).toBe(403);
    await anonymous.body.dump();
    const otherAudience = await request(tables, {
      dispatcher: agent,
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${token.access_token}`,
        'x-ms-version': '2019-02-02',
      },
    });
    expect(otherAudience.statusCode).toBe(403);
    expect(await otherAudience.body.text()).toMatch(/Invalid token audience/);
  } finally {
    await agent.close();
  }
});

test('the timer, the queue worker and the status routes run on identity-based storage with no key anywhere', async () => {
  const tenants = tenantDefinitionsFor(sim.scenarios()).slice(0, 3);
  const tenantsFile = join(dir, 'tenants.json');
  writeFileSync(tenantsFile, JSON.stringify(tenants));
  const env = { ...identitySettings(), TENANTS_FILE: tenantsFile };
  const { code, run, stderr } = await runHost(env);
  expect(stderr.replace(/WARNING: .*test mode.*\n/g, '')).toBe('');
  expect(code).toBe(0);
  expect(run!.problems).toEqual([]);
  expect(run!.connection).toEqual({
    kind: 'identity',
    tableServiceUri: azurite.tableEndpoint,
    queueServiceUri: azurite.queueEndpoint,
    credential: 'managedidentity',
    clientId: sim.world.scenario.managedIdentity.clientId,
  });
  expect(run!.delivered).toBe(3);
  const summary = run!.answers.summary.body as { counts: { total: number } };
  expect(run!.answers.summary.status).toBe(200);
  expect(summary.counts.total).toBe(3);
  expect(run!.answers.detail.status).toBe(200);
  expect(run!.answers.detail.body).toEqual(expect.objectContaining({ tenantId: tenants[0]!.tenantId }));
  expect(run!.answers.badge.status).toBe(200);
  // Nothing the host had or logged holds a key or a token.
  const everything = JSON.stringify({ env, run });
  expect(everything).not.toMatch(/AccountKey|SharedAccessSignature|sig=|eyJ[\w-]+\.eyJ/);
}, 120_000);

describe('the settings for an identity-based connection, as the Functions host reads them', () => {
  test('an account name alone gives the public endpoints; the queue trigger names the same setting', () => {
    const found = storageConnectionOf({
      AzureWebJobsStorage__accountName: 'thstore01',
      AzureWebJobsStorage__credential: 'managedidentity',
    });
    expect(found).toEqual({
      setting: 'AzureWebJobsStorage',
      connection: {
        kind: 'identity',
        tableServiceUri: 'https://thstore01.table.core.windows.net',
        queueServiceUri: 'https://thstore01.queue.core.windows.net',
        credential: 'managedidentity',
      },
      problems: [],
    });
  });

  test('TENANT_HEALTH_STORAGE with identity settings wins over the host storage', () => {
    const found = storageConnectionOf({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      TENANT_HEALTH_STORAGE__accountName: 'thdata01',
    });
    expect(found.setting).toBe('TENANT_HEALTH_STORAGE');
    expect(found.connection).toEqual(expect.objectContaining({ kind: 'identity' }));
  });

  test.each([
    [
      { AzureWebJobsStorage__blobServiceUri: 'https://a.blob.core.windows.net' },
      /__accountName, or both AzureWebJobsStorage__tableServiceUri/,
    ],
    [
      { AzureWebJobsStorage__accountName: 'Not_An_Account' },
      /AzureWebJobsStorage__accountName must be a storage account name/,
    ],
    [
      { AzureWebJobsStorage__accountName: 'thstore01', AzureWebJobsStorage__credential: 'connectionstring' },
      /__credential must be managedidentity/,
    ],
    [
      { AzureWebJobsStorage__accountName: 'thstore01', AzureWebJobsStorage__clientId: 'me' },
      /__clientId must be the client id \(a GUID\)/,
    ],
    [
      {
        AzureWebJobsStorage__tableServiceUri: 'http://a.table.core.windows.net',
        AzureWebJobsStorage__queueServiceUri: 'https://a.queue.core.windows.net',
      },
      /AzureWebJobsStorage__tableServiceUri must be an https URI/,
    ],
  ])('%j is refused, naming the setting, without throwing', (env, message) => {
    const { settings, problems } = readSettings(env);
    expect(settings.storageConnection).toBeNull();
    expect(problems.join('\n')).toMatch(message);
  });
});

test('the host process reads nothing but its environment (the helper is the compiled app)', () => {
  expect(readFileSync(HOST, 'utf8')).not.toMatch(/AccountKey|connectionString:/);
});
