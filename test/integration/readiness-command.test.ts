// `npx tenant-health readiness` as a tenant owner runs it: most urgent first, the same evidence scored at other dates,
// JSON for machines and one self-contained HTML page.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BIN } from '../helpers/serving-command';

const run = (args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
interface Row {
  name: string;
  readiness: {
    score: number | null;
    band: string;
    priority: number;
    daysToShutdown: number;
    urgency: { band: string };
    deductions: { rule: string }[];
  };
}

let dir: string;
let runFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'th-readiness-'));
  runFile = join(dir, 'run.json');
  await writeFile(runFile, (await run(['demo', '--json'])).stdout);
}, 60_000);

test('over the simulated cloud: every tenant, most urgent first, readable in a terminal', async () => {
  const { stdout, stderr } = await run(['readiness']);
  expect(stderr).toMatch(/starting the simulated Microsoft 365 cloud[^\n]*\nreadiness: checking its 29 tenants/);
  const lines = stdout.split('\n');
  expect(lines[0]).toMatch(
    /^EWS readiness on \d{4}-\d{2}-\d{2}: \d+ days until EWS in Exchange Online is switched off \(2027-04-01\); urgency .*29 tenants: 1 ready, 1 on track, 16 at risk, 3 critical, 8 unknown\.$/,
  );
  expect(lines[2]).toMatch(/^Priority\s+Tenant\s+Score\s+Band\s+Confidence\s+EWS apps left\s+Fix first$/);
  const priorities = lines.slice(4, 33).map((l) => Number(l.trim().split(/\s+/)[0]));
  expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
  expect(lines[32]).toMatch(/^\s+0\s+Southridge Video\s+100\s+ready\s+high\s+0\s+nothing left to do$/);
}, 60_000);

test('--at scores the same evidence for another day: the cut-over month, and after the shutdown', async () => {
  const march = JSON.parse((await run(['readiness', '--run', runFile, '--at', '2027-03-15', '--json'])).stdout) as {
    at: string;
    tenants: Row[];
  };
  expect(march.at).toBe('2027-03-15T00:00:00.000Z');
  const contoso = (rows: Row[]) => rows.find((t) => t.name === 'Contoso')!.readiness;
  expect(contoso(march.tenants)).toEqual(
    expect.objectContaining({
      score: 60,
      daysToShutdown: 17,
      urgency: expect.objectContaining({ band: 'cut-over' }),
      priority: 120,
    }),
  );
  const after = JSON.parse(
    (await run(['readiness', '--run', runFile, '--at', '2027-04-15T09:00:00Z', '--json'])).stdout,
  ) as { tenants: Row[] };
  expect(contoso(after.tenants)).toEqual(
    expect.objectContaining({
      score: 30,
      band: 'critical',
      urgency: expect.objectContaining({ band: 'post-shutdown' }),
    }),
  );
  expect(after.tenants.find((t) => t.name === 'Southridge Video')!.readiness.score).toBe(100);
  expect(after.tenants.map((t) => t.readiness.priority)).toEqual(
    after.tenants.map((t) => t.readiness.priority).sort((a, b) => b - a),
  );
}, 60_000);

test('--html writes one self-contained page with the score chart, the days left and every deduction', async () => {
  const page = join(dir, 'readiness.html');
  await run(['readiness', '--run', runFile, '--html', page]);
  const html = await readFile(page, 'utf8');
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain('aria-label="Readiness score per tenant"');
  expect(html).toContain('aria-label="Days left until EWS is switched off: today ');
  expect(html).toContain('<caption>Readiness bands');
  expect(html).toMatch(/\d+ days until EWS in Exchange Online is switched off/);
  expect(html).toContain('Margie&#39;s Travel');
  expect(html).not.toContain("Margie's Travel");
  expect(html).toContain('ews-blocked-for-needed-app');
  expect(html).not.toMatch(/<script|<link|src=|url\(/i); // nothing fetched from anywhere
  expect((html.match(/<details>/g) ?? []).length).toBe(29);
}, 60_000);

test.each([
  [['readiness', '--at', 'next spring'], /--at must be a date such as 2027-03-15/],
  [['readiness', '--run', '/nonexistent/run.json'], /--run: cannot read \/nonexistent\/run.json: ENOENT/],
  [['readiness', '--run', 'RUN', '--scenarios', 'x.json'], /--run and --scenarios cannot be combined/],
])('bad input %j exits 2 naming the problem', (args, message) => {
  const result = spawnSync(process.execPath, [BIN, ...args.map((a) => (a === 'RUN' ? runFile : a))], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  expect([result.status, result.stdout]).toEqual([2, '']);
  expect(result.stderr).toMatch(message);
});

test('a run file without what the score reads is refused, naming the tenant', async () => {
  const old = join(dir, 'old.json');
  const saved = JSON.parse(await readFile(runFile, 'utf8')) as { tenants: Record<string, unknown>[] };
  delete saved.tenants[2]!.app;
  await writeFile(old, JSON.stringify(saved));
  const result = spawnSync(process.execPath, [BIN, 'readiness', '--run', old], { encoding: 'utf8', timeout: 10_000 });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/tenants\[2\] lacks app; save the run again/);
  await writeFile(old, JSON.stringify({ findings: [] }));
  expect(spawnSync(process.execPath, [BIN, 'readiness', '--run', old], { encoding: 'utf8' }).stderr).toMatch(
    /not a run object with tenants/,
  );
});

test('several saved runs give each tenant its observed burn-down beside the required pace, in text, JSON and HTML', async () => {
  const saved = JSON.parse(await readFile(runFile, 'utf8')) as {
    tenants: {
      name: string;
      checkedAt: string;
      ewsInventory?: { usage: { apps?: { appId: string; calls: number; lastActivity: string }[] } };
    }[];
  };
  // Three weeks earlier, Proseware had one more app calling EWS.
  const earlier = structuredClone(saved);
  for (const t of earlier.tenants) t.checkedAt = new Date(Date.parse(t.checkedAt) - 21 * 86_400_000).toISOString();
  const proseware = earlier.tenants.find((t) => t.name === 'Proseware')!;
  proseware.ewsInventory!.usage.apps!.push({
    appId: '0a0a0a0a-1111-4222-8333-444444444444',
    calls: 900,
    lastActivity: proseware.checkedAt.slice(0, 10),
  });
  const earlierFile = join(dir, 'earlier.json');
  await writeFile(earlierFile, JSON.stringify(earlier));
  const html = join(dir, 'burn-down.html');
  const json = JSON.parse(
    (await run(['readiness', '--run', earlierFile, '--run', runFile, '--json', '--html', html])).stdout,
  ) as { tenants: { name: string; observed: { points: { apps: number }[]; observedPerWeek: number } }[] };
  const row = json.tenants.find((t) => t.name === 'Proseware')!;
  expect(row.observed.points.map((p) => p.apps)).toEqual([2, 1]);
  expect(row.observed.observedPerWeek).toBeCloseTo(1 / 3, 1);
  expect(json.tenants).toHaveLength(29);
  const text = (await run(['readiness', '--run', earlierFile, '--run', runFile])).stdout;
  expect(text).toMatch(
    /Observed burn-down \(one point a week from the runs given\):\n(.*\n)*\s+Proseware: 2 → 1 apps from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}: 0\.33 apps off EWS a week observed/,
  );
  expect(await readFile(html, 'utf8')).toMatch(/<caption>Observed burn-down of Proseware, one point a week<\/caption>/);
}, 60_000);
