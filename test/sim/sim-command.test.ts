// `npx tenant-health sim` as docs/contracts/cli.md says: one ready line of JSON, discovery, clean stop, exit 2 on bad input.
import { spawnSync } from 'node:child_process';
import { BIN, startServing } from '../helpers/serving-command';

test('prints exactly one ready line, serves the scenario list, and stops cleanly on SIGTERM', async () => {
  const sim = await startServing(['sim', '--port', '0']);
  try {
    const ready = sim.ready as { ready: boolean; baseUrl: string; endpoints: Record<string, string> };
    expect(sim.before).toEqual([]);
    expect(ready.ready).toBe(true);
    expect(ready.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Object.keys(ready.endpoints)).toEqual(
      expect.arrayContaining(['login', 'ews', 'graph', 'adminapi', 'keyvault', 'logicapp']),
    );
    expect(ready.endpoints.ews).toBe(`${ready.baseUrl}/EWS/Exchange.asmx`);
    const scenarios = (await (await fetch(`${ready.baseUrl}/_sim/scenarios`)).json()) as Record<string, unknown>[];
    expect(scenarios[0]).toEqual(
      expect.objectContaining({
        tenantId: expect.any(String),
        name: 'Contoso',
        expectedCause: 'healthy',
        clientId: expect.any(String),
        clientSecret: expect.any(String),
        mailboxes: expect.any(Array),
      }),
    );
    expect(await (await fetch(`${ready.baseUrl}/_sim/logicapp`)).json()).toEqual([]);
    expect(await sim.stop()).toBe(0);
    expect(sim.after).toEqual([]);
  } finally {
    await sim.cleanUp();
  }
});

test.each([
  [['sim', '--port', 'eighty'], /sim: --port must be a whole number from 0 to 65535, got "eighty"/],
  [
    ['sim', '--scenarios', '/nonexistent/scenarios.json'],
    /sim: --scenarios: cannot read \/nonexistent\/scenarios.json: ENOENT/,
  ],
  [['sim', '--colour'], /sim: unknown option --colour; tenant-health sim --help lists its options/],
  [['simulate'], /unknown command "simulate"/],
])('bad input %j exits 2 naming the problem', (args, message) => {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 10_000 });
  expect(result.status).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(message);
});
