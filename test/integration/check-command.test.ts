// `check --sim`, a dry run of a user's own tenants file against simulated twins, and `check` behind a proxy: every call
// goes through it, as it must behind a corporate proxy.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBin } from '../helpers/cli';
import { BIN } from '../helpers/serving-command';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy';

interface RunTenant {
  name: string;
  verdict: string;
  app: { clientId: string };
  probes: { name: string; ok: boolean; skipped?: boolean }[];
  evidence: { request: { method: string; url: string } }[];
  readiness: { band: string };
}

const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY'];

let dir: string;
let readmeExample: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'th-check-'));
  // The tenants file the README shows, as a new user would copy it.
  const readme = await readFile(join(__dirname, '../../README.md'), 'utf8');
  const block = [...readme.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((b) => b.includes('"keyVaultUrl"'));
  readmeExample = join(dir, 'tenants.json');
  await writeFile(readmeExample, block!);
});

/** The command line in its own process, with the proxy variables given and none of the machine's. */
const tenantHealth = (argv: string[], env: Record<string, string> = {}) =>
  runBin(argv, { ...Object.fromEntries(PROXY_VARIABLES.map((name) => [name, undefined])), ...env });

test("check --sim on the README's example tenants file gives a run object: its tenant checked healthy by every probe", async () => {
  const { code, stdout, stderr } = await tenantHealth(['check', '--config', readmeExample, '--sim', '--json']);
  expect([code, stderr]).toEqual([0, expect.stringMatching(/check --sim: checking them at http:\/\/127\.0\.0\.1:\d+/)]);
  const run = JSON.parse(stdout) as { runId: string; tenants: RunTenant[]; summary: Record<string, number> };
  expect(run.runId).toEqual(expect.any(String));
  expect(run.summary).toEqual(expect.objectContaining({ tenants: 1, healthy: 1 }));
  const [contoso] = run.tenants;
  expect(contoso).toMatchObject({
    name: 'Contoso',
    verdict: 'healthy',
    app: { clientId: '4c57dc1b-fff4-4ee3-8104-08c997f1289b' },
  });
  expect(contoso!.probes.map((p) => p.name)).toEqual(
    expect.arrayContaining(['token.exchange', 'ews.getFolder', 'graph.inbox', 'adminapi.organizationConfig']),
  );
  expect(contoso!.probes.every((p) => p.ok)).toBe(true);
}, 60_000);

test("check --sim gives each of a tenant's apps its twin, each with its own credential kind, and refuses --secrets", async () => {
  const file = join(dir, 'two-apps.json');
  const entry = (clientId: string, type: 'secret' | 'certificate', name: string) => ({
    tenantId: 'fabrikam.onmicrosoft.com',
    name: 'Fabrikam',
    clientId,
    credential: { type, keyVaultSecretName: name },
    canaries: ['canary@fabrikam.onmicrosoft.com'],
  });
  await writeFile(
    file,
    JSON.stringify({
      tenants: [
        entry('11111111-2222-4333-8444-555555555555', 'secret', 'fabrikam-backup'),
        entry('66666666-7777-4888-9999-aaaaaaaaaaaa', 'certificate', 'fabrikam-crm'),
      ],
    }),
  );
  const { code, stdout } = await tenantHealth(['check', '--config', file, '--sim', '--json']);
  expect(code).toBe(0);
  const run = JSON.parse(stdout) as { tenants: RunTenant[] };
  expect(run.tenants.map((t) => [t.app.clientId, t.verdict])).toEqual([
    ['11111111-2222-4333-8444-555555555555', 'healthy'],
    ['66666666-7777-4888-9999-aaaaaaaaaaaa', 'healthy'],
  ]);
  const refused = await tenantHealth(['check', '--config', file, '--sim', '--secrets', file]);
  expect([refused.code, refused.stderr]).toEqual([2, expect.stringMatching(/--secrets and --sim cannot be combined/)]);
}, 60_000);

test('a reader that stops early (| head) ends the command quietly: no EPIPE stack, exit 0', async () => {
  const file = join(dir, 'many.json');
  const entries = Array.from({ length: 60 }, (_, i) => ({
    tenantId: `t${i}.onmicrosoft.com`,
    name: `Tenant ${i}`,
    clientId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    credential: { type: 'secret', keyVaultSecretName: `t${i}-app` },
    canaries: [`canary@t${i}.onmicrosoft.com`],
  }));
  await writeFile(file, JSON.stringify({ tenants: entries }));
  const child = spawn(process.execPath, [BIN, 'check', '--config', file, '--sim', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...Object.fromEntries(PROXY_VARIABLES.map((name) => [name, ''])) },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  const [code] = (await once(child, 'exit')) as [number];
  expect({ code, stderr: stderr.match(/EPIPE|Error:.*\n\s+at /g) }).toEqual({ code: 0, stderr: null });
}, 120_000);

describe('behind a proxy', () => {
  let proxy: ForwardProxy;
  beforeAll(async () => {
    proxy = await startForwardProxy();
  });
  afterAll(() => proxy.close());

  test('every call of the check passes through HTTPS_PROXY/HTTP_PROXY: tokens, EWS, Graph, the admin API, the vault', async () => {
    const { code, stdout } = await tenantHealth(['check', '--config', readmeExample, '--sim', '--json'], {
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
    });
    expect(code).toBe(0);
    const [tenant] = (JSON.parse(stdout) as { tenants: RunTenant[] }).tenants;
    expect(tenant!.verdict).toBe('healthy');
    // Each call the evidence records reached the simulator only by way of the proxy (its path, under the simulator's prefix).
    const paths = proxy.seen.map((line) => new URL(line.split(' ')[1]!).pathname);
    const missed = tenant!.evidence
      .map((e) => new URL(e.request.url).pathname)
      .filter((path) => !paths.some((seen) => seen.endsWith(decodeURIComponent(path)) || seen.endsWith(path)));
    expect(missed).toEqual([]);
    expect(tenant!.evidence.length).toBeGreaterThanOrEqual(5);
    // tenant-health's own calls too: its managed identity and its Key Vault.
    expect(proxy.seen.some((line) => /\/secrets\/contoso-app-credential/.test(line))).toBe(true);
    expect(proxy.seen.every((line) => /^(GET|POST) http:\/\/127\.0\.0\.1:\d+\//.test(line))).toBe(true);
  }, 60_000);

  test('NO_PROXY keeps calls off the proxy', async () => {
    const before = proxy.seen.length;
    const { code } = await tenantHealth(['check', '--config', readmeExample, '--sim', '--json'], {
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
      NO_PROXY: '127.0.0.1',
    });
    expect(code).toBe(0);
    expect(proxy.seen.slice(before)).toEqual([]);
  }, 60_000);

  test('a proxy setting that is not a URL is refused, named, and not echoed (it may hold a password)', async () => {
    const { code, stderr } = await tenantHealth(['check', '--config', readmeExample, '--sim'], {
      HTTPS_PROXY: 'user:s3cret@proxy corp:8080',
    });
    expect([code, stderr]).toEqual([2, expect.stringMatching(/HTTPS_PROXY is not a proxy URL/)]);
    expect(stderr).not.toMatch(/s3cret|user/);
  });
});
