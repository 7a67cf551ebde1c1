// `npm run bench`: the check cycle against the simulated cloud with latency injected on every call, the simulator,
// Azurite and a storage-counting proxy each in a process of their own so that CPU and memory are the app's. Prints
// wall time against the request graph's floor, requests per tenant, CPU, memory, storage traffic, the worker path,
// and the same run's naive sequential script; `--json` makes the last line of standard output one JSON object.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { TableClient } from '@azure/data-tables';
import { ManagedIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { QueueClient } from '@azure/storage-queue';
import { request, type Dispatcher } from 'undici';
import { startAzurite, type RunningAzurite } from '../cli/azurite';
import { sdkClientOptions } from '../shared/clients/azure-sdk';
import { createAgent } from '../shared/clients/http';
import { getFolderEnvelope } from '../shared/probes/ews';
import { readSettings } from '../shared/core/settings';
import type { TenantDefinition } from '../shared/core/tenants';
import { checkCycle, ensureStorage, runQueuedCheck, scheduleCycle } from '../shared/service/check-service';
import { createServices } from '../shared/service/services';
import { statusSummary } from '../shared/service/status-api';
import { forEachLimited } from '../shared/core/pool';
import { tenantDefinitionsFor } from '../sim/demo-tenants';
import { syntheticScenario } from '../sim/generator';
import { routeToSimulatedCloud } from '../sim/route-to-sim';
import { ROUTES } from '../sim/scenario';
import type { ScenarioListing } from '../sim/server';

const ROOT = join(__dirname, '../..');
/**
 * Calls in series on one synthetic tenant's path: cold, the vault, then its tokens, then its probes (all at once; the
 * synthetic apps hold no permission for the EWS inventory, whose grant reads would add one more); warm, the probes.
 */
const CRITICAL_PATH = { cold: 3, warm: 1 };

interface Options {
  sizes: number[];
  concurrency: number;
  latencyMs: number;
  cycles: number;
  json: boolean;
  /** Where to write a CPU profile of the warm cycle (the healthy part only). */
  profileDir?: string;
  /** Set in the child that runs one part. */
  part?: 'healthy' | 'mix' | 'scale' | 'worker';
  healthyColdMs: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      part: { type: 'string' },
      'healthy-cold-ms': { type: 'string' },
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      concurrency: { type: 'string', default: '64' },
      latency: { type: 'string', default: '50' },
      cycles: { type: 'string' },
      profile: { type: 'string' },
    },
  });
  const whole = (value: string, name: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1, got "${value}"`);
    return n;
  };
  return {
    sizes: values.sizes
      ? values.sizes.split(',').map((s) => whole(s, '--sizes'))
      : values.quick
        ? [1000]
        : [100, 1000, 10_000],
    concurrency: whole(values.concurrency, '--concurrency'),
    latencyMs: Number(values.latency),
    cycles: values.cycles ? whole(values.cycles, '--cycles') : values.quick ? 3 : 10,
    json: values.json,
    ...(values.profile ? { profileDir: values.profile } : {}),
    ...(values.part === 'healthy' || values.part === 'mix' || values.part === 'scale' || values.part === 'worker'
      ? { part: values.part }
      : {}),
    healthyColdMs: Number(values['healthy-cold-ms'] ?? 0),
  };
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** Starts a child that prints one ready line of JSON; returns it with the parsed line. */
async function startChild<T>(args: string[]): Promise<{ child: ChildProcess; ready: T }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT });
  const lines = createInterface({ input: child.stdout });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`${args.join(' ')} exited with ${String(code)} before it was ready`);
    }),
  ])) as [string];
  return { child, ready: JSON.parse(line) as T };
}

const stop = async (child: ChildProcess) => {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
};

interface SimReady {
  baseUrl: string;
  endpoints: { keyvault: string; identity: string; login: string };
  identityHeader: string;
}

/** The simulated cloud with N synthetic tenants and the latency on every route but the local identity endpoint. */
async function startSim(dir: string, count: number, failingShare: number, latencyMs: number) {
  const scenario = {
    ...syntheticScenario(count, { failingShare, canaries: 2 }),
    faults: ROUTES.filter((r) => r !== 'identity').map((route) => ({ route, latencyMs })),
  };
  const file = join(dir, `scenario-${count}-${failingShare}.json`);
  writeFileSync(file, JSON.stringify(scenario));
  const { child, ready } = await startChild<SimReady>([
    join(ROOT, 'bin/tenant-health.js'),
    'sim',
    '--scenarios',
    file,
    '--port',
    '0',
  ]);
  const get = async <T>(path: string) => {
    const answer = await request(`${ready.baseUrl}${path}`);
    return (await answer.body.json()) as T;
  };
  return {
    child,
    ready,
    listing: await get<ScenarioListing[]>('/_sim/scenarios'),
    requests: () => get<Record<string, number>>('/_sim/requests'),
  };
}

interface StorageCounts {
  table: { requests: number; bytes: number };
  queue: { requests: number; bytes: number };
}

async function startCountedStorage(azurite: RunningAzurite) {
  const port = (endpoint: string) => new URL(endpoint).port;
  const { child, ready } = await startChild<{ table: number; queue: number }>([
    join(ROOT, 'dist/bench/storage-counter.js'),
    port(azurite.tableEndpoint),
    port(azurite.queueEndpoint),
  ]);
  const counts = async (method: 'GET' | 'DELETE' = 'GET') =>
    (await (await request(`http://127.0.0.1:${ready.table}/_counts`, { method })).body.json()) as StorageCounts;
  const connectionString = azurite.connectionString
    .replace(azurite.tableEndpoint, `http://127.0.0.1:${ready.table}/devstoreaccount1`)
    .replace(azurite.queueEndpoint, `http://127.0.0.1:${ready.queue}/devstoreaccount1`);
  return { child, connectionString, counts };
}

/**
 * CPU ms a process has used so far, from /proc (Linux): the simulated cloud, Azurite and the storage counter share this
 * machine's cores with the app, so what they burn bounds the cycle as surely as the network does.
 */
function processCpuMs(pid: number): number {
  // Fields after the command name (which may hold spaces) start at the state, field 3; utime and stime are 14 and 15.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Runs work under the V8 profiler and writes `warm-cycle.cpuprofile` into dir, for Chrome's or VS Code's profiler. */
async function profiled<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(join(dir, 'warm-cycle.cpuprofile'), JSON.stringify(profile));
    log(`wrote ${join(dir, 'warm-cycle.cpuprofile')}`);
    session.disconnect();
  }
}

/** Peak resident memory, sampled while work runs. */
function rssSampler() {
  // memoryUsage.rss() reads one number; memoryUsage() walks every heap space, which would show up in the CPU figures.
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  return {
    peakMb: () => Math.round(Math.max(peak, process.memoryUsage.rss()) / 1048576),
    stop: () => clearInterval(timer),
  };
}

const diff = (after: Record<string, number>, before: Record<string, number>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
};
const perTenant = (counts: Record<string, number>, n: number) =>
  Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Math.round((100 * v) / n) / 100]));
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** What an admin writes in an afternoon: per tenant, in series, the secret, two tokens, EWS, Graph and one row. */
async function naiveScript(
  tenants: TenantDefinition[],
  sim: SimReady,
  dispatcher: Dispatcher,
  connectionString: string,
): Promise<number> {
  const vault = new SecretClient(sim.endpoints.keyvault, new ManagedIdentityCredential(sdkClientOptions()), {
    allowInsecureConnection: true,
    disableChallengeResourceVerification: true,
  });
  const table = TableClient.fromConnectionString(connectionString, 'NaiveResults', { allowInsecureConnection: true });
  await table.createTable();
  const started = performance.now();
  for (const tenant of tenants) {
    const secret = (await vault.getSecret((tenant.credential as { keyVaultSecretName: string }).keyVaultSecretName))
      .value!;
    const token = async (scope: string) => {
      const answer = await request(`https://login.microsoftonline.com/${tenant.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: tenant.clientId,
          client_secret: secret,
          scope,
          grant_type: 'client_credentials',
        }).toString(),
      });
      return ((await answer.body.json()) as { access_token: string }).access_token;
    };
    const mailbox = tenant.canaries[0]!;
    const ews = await request('https://outlook.office365.com/EWS/Exchange.asmx', {
      method: 'POST',
      dispatcher,
      headers: {
        authorization: `Bearer ${await token('https://outlook.office365.com/.default')}`,
        'content-type': 'text/xml; charset=utf-8',
        'x-anchormailbox': mailbox,
      },
      body: getFolderEnvelope(mailbox, true),
    });
    const ewsBody = await ews.body.text();
    const graph = await request(
      `https://graph.microsoft.com/v1.0/users/${encodeURIComponent(mailbox)}/mailFolders/inbox`,
      {
        dispatcher,
        headers: { authorization: `Bearer ${await token('https://graph.microsoft.com/.default')}` },
      },
    );
    await graph.body.dump();
    await table.upsertEntity({
      partitionKey: 'naive',
      rowKey: tenant.tenantId,
      ok: ews.statusCode === 200 && /NoError/.test(ewsBody) && graph.statusCode === 200,
    });
  }
  return (performance.now() - started) / tenants.length;
}

interface CycleMeasure {
  wallMs: number;
  cpuMs: number;
  /** CPU the simulated cloud, Azurite and the storage counter used in the same cycle. */
  otherCpuMs: number;
  requests: Record<string, number>;
  storage: StorageCounts;
  verdicts: Record<string, number>;
}

async function measureSize(n: number, opts: Options, dir: string) {
  log(`N = ${n}: starting the simulated cloud (healthy), Azurite and the storage counter`);
  const sim = await startSim(dir, n, 0, opts.latencyMs);
  const azurite = await startAzurite();
  const storage = await startCountedStorage(azurite);
  process.env.IDENTITY_ENDPOINT = sim.ready.endpoints.identity;
  process.env.IDENTITY_HEADER = sim.ready.identityHeader;
  const agent = createAgent(undefined, opts.concurrency);
  const dispatcher = routeToSimulatedCloud(sim.ready.baseUrl, agent);
  const { settings } = readSettings({
    TENANT_HEALTH_STORAGE: storage.connectionString,
    KEY_VAULT_URL: sim.ready.endpoints.keyvault,
    TENANT_HEALTH_ALLOW_LOOPBACK: 'true',
  });
  const services = createServices(settings, { dispatcher });
  const tenants = tenantDefinitionsFor(sim.listing);
  const rss = rssSampler();
  try {
    await ensureStorage(services);
    await services.store.watch(tenants);

    const cycle = async (label: string): Promise<CycleMeasure> => {
      const before = await sim.requests();
      await storage.counts('DELETE');
      const others = [sim.child.pid!, azurite.pid, storage.child.pid!];
      const otherCpu = others.map(processCpuMs);
      const cpu = process.cpuUsage();
      const started = performance.now();
      const { report } = await checkCycle(tenants, services, { concurrency: opts.concurrency });
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const verdicts: Record<string, number> = {};
      for (const t of report.tenants) verdicts[t.verdict] = (verdicts[t.verdict] ?? 0) + 1;
      const measure = {
        wallMs,
        cpuMs: (used.user + used.system) / 1000,
        otherCpuMs: others.reduce((total, pid, i) => total + processCpuMs(pid) - otherCpu[i]!, 0),
        requests: diff(await sim.requests(), before),
        storage: await storage.counts(),
        verdicts,
      };
      log(`N = ${n}: ${label} cycle ${Math.round(wallMs)} ms, ${JSON.stringify(verdicts)}`);
      if (report.tenants.length !== n) throw new Error(`${label}: ${report.tenants.length} results for ${n} tenants`);
      return measure;
    };
    const cold = await cycle('cold');
    const warm = opts.profileDir ? await profiled(opts.profileDir, () => cycle('warm')) : await cycle('warm');
    const rssAfterWarm = process.memoryUsage().rss;
    const more: number[] = [];
    for (let i = 2; i < opts.cycles; i += 1) more.push((await cycle(`cycle ${i + 1}`)).wallMs);
    const rssGrowthMb = Math.round((process.memoryUsage().rss - rssAfterWarm) / 1048576);

    // The summary route: what it reads from Table storage against what it answers.
    await storage.counts('DELETE');
    const summary = await statusSummary(
      { method: 'GET', params: {}, query: new URLSearchParams(), header: () => null },
      services,
      () => undefined,
    );
    const summaryBytes = Buffer.byteLength(JSON.stringify(summary.jsonBody));
    const summaryRead = await storage.counts();

    // The Functions path: the timer's messages, each handled as the queue worker handles one invocation.
    const invocations = Math.min(n, 200);
    const { cycleId, cycleAt } = await scheduleCycle(services);
    const messages = tenants.slice(0, invocations).map((t) => ({ tenantId: t.tenantId, cycleId, cycleAt }));
    await storage.counts('DELETE');
    const workerCpu = process.cpuUsage();
    await forEachLimited(messages, 16, async (message) => {
      const outcome = await runQueuedCheck(message, 1, services);
      if (outcome.outcome !== 'saved') throw new Error(`worker: ${JSON.stringify(outcome)}`);
    });
    const workerUsed = process.cpuUsage(workerCpu);
    const workerStorage = await storage.counts();

    // The naive script, on a sample (it is sequential, so its time per tenant is its rate).
    const sample = tenants.slice(0, Math.min(n, 30));
    const naivePerTenantMs = await naiveScript(sample, sim.ready, dispatcher, storage.connectionString);
    rss.stop();

    const batches = Math.ceil(n / opts.concurrency);
    const floorCold = batches * CRITICAL_PATH.cold * opts.latencyMs;
    const floorWarm = batches * CRITICAL_PATH.warm * opts.latencyMs;
    if ((cold.verdicts.healthy ?? 0) !== n || (warm.verdicts.healthy ?? 0) !== n)
      throw new Error(
        `the healthy set did not come out healthy: ${JSON.stringify({ cold: cold.verdicts, warm: warm.verdicts })}`,
      );
    return {
      n,
      concurrency: opts.concurrency,
      latencyMs: opts.latencyMs,
      cold: { wallMs: Math.round(cold.wallMs), floorMs: floorCold },
      warm: { wallMs: Math.round(warm.wallMs), floorMs: floorWarm, laterCyclesMs: more.map(Math.round) },
      ratioToFloor: round(cold.wallMs / floorCold),
      warmRatioToFloor: round(warm.wallMs / floorWarm),
      // The other floor on this machine: every process's CPU spread over every core, as if none ever waited.
      cores: availableParallelism(),
      cpuFloorMs: {
        cold: Math.round((cold.cpuMs + cold.otherCpuMs) / availableParallelism()),
        warm: Math.round((warm.cpuMs + warm.otherCpuMs) / availableParallelism()),
      },
      // Near 1 means the cycle waits on this machine's cores, not on the network or on itself.
      ratioToCpuFloor: {
        cold: round((cold.wallMs * availableParallelism()) / (cold.cpuMs + cold.otherCpuMs)),
        warm: round((warm.wallMs * availableParallelism()) / (warm.cpuMs + warm.otherCpuMs)),
      },
      otherCpuMsPerTenant: { cold: round(cold.otherCpuMs / n), warm: round(warm.otherCpuMs / n) },
      requestsPerTenant: { cold: perTenant(cold.requests, n), warm: perTenant(warm.requests, n) },
      warmTokenRequests: warm.requests.login ?? 0,
      warmRequestsPerTenant: round(sum(warm.requests) / n),
      cpuMsPerTenantCold: round(cold.cpuMs / n),
      cpuMsPerTenantWarm: round(warm.cpuMs / n),
      cpuMsPerInvocation: round((workerUsed.user + workerUsed.system) / 1000 / invocations),
      storageCallsPerInvocation: round((workerStorage.table.requests + workerStorage.queue.requests) / invocations),
      peakRssMb: rss.peakMb(),
      rssGrowthMbOverCycles: rssGrowthMb,
      storagePerCycle: { cold: cold.storage, warm: warm.storage },
      summary: {
        bytesReturned: summaryBytes,
        bytesRead: summaryRead.table.bytes,
        tableRequests: summaryRead.table.requests,
      },
      summaryReadAmplification: round(summaryRead.table.bytes / summaryBytes),
      naivePerTenantMs: Math.round(naivePerTenantMs),
      speedupOverNaive: round((naivePerTenantMs * n) / cold.wallMs, 1),
      close: async () => {
        await agent.close();
        await Promise.all([stop(sim.child), stop(storage.child), azurite.close()]);
      },
    };
  } catch (error) {
    rss.stop();
    await agent.close();
    await Promise.all([stop(sim.child), stop(storage.child), azurite.close()]);
    throw error;
  }
}

/** The same N with a fifth of the tenants failing, cold, against the healthy cold cycle. */
async function failingMix(n: number, opts: Options, dir: string, healthyColdMs: number) {
  log(`N = ${n}: the 20%-failing mix`);
  const sim = await startSim(dir, n, 0.2, opts.latencyMs);
  const azurite = await startAzurite();
  process.env.IDENTITY_ENDPOINT = sim.ready.endpoints.identity;
  process.env.IDENTITY_HEADER = sim.ready.identityHeader;
  const agent = createAgent(undefined, opts.concurrency);
  try {
    const { settings } = readSettings({
      TENANT_HEALTH_STORAGE: azurite.connectionString,
      KEY_VAULT_URL: sim.ready.endpoints.keyvault,
      TENANT_HEALTH_ALLOW_LOOPBACK: 'true',
    });
    const services = createServices(settings, { dispatcher: routeToSimulatedCloud(sim.ready.baseUrl, agent) });
    const tenants = tenantDefinitionsFor(sim.listing);
    await ensureStorage(services);
    const started = performance.now();
    const { report } = await checkCycle(tenants, services, { concurrency: opts.concurrency });
    const wallMs = performance.now() - started;
    const failing = report.tenants.filter((t) => t.verdict !== 'healthy').length;
    const expected = sim.listing.filter((s) => s.expectedCause !== 'healthy').length;
    if (failing !== expected) throw new Error(`the mix: ${failing} unhealthy results, ${expected} expected`);
    log(`N = ${n}: mix cycle ${Math.round(wallMs)} ms, ${failing} unhealthy`);
    return { wallMs: Math.round(wallMs), unhealthy: failing, failingMixRatio: round(wallMs / healthyColdMs) };
  } finally {
    await agent.close();
    await Promise.all([stop(sim.child), azurite.close()]);
  }
}

/**
 * A worker process as the Functions host runs one: receives messages in batches and checks 16 tenants at a time until
 * the queue is empty. Prints how many it checked.
 */
async function drainAsWorker(): Promise<{ checked: number }> {
  const env = JSON.parse(process.env.TH_BENCH_WORKER ?? '{}') as {
    storage: string;
    vault: string;
    sim: string;
    queue: string;
  };
  const agent = createAgent(undefined, 16);
  const { settings } = readSettings({
    TENANT_HEALTH_STORAGE: env.storage,
    KEY_VAULT_URL: env.vault,
    TENANT_HEALTH_ALLOW_LOOPBACK: 'true',
    CHECK_QUEUE: env.queue,
  });
  const services = createServices(settings, { dispatcher: routeToSimulatedCloud(env.sim, agent) });
  const queue = new QueueClient(env.storage, env.queue);
  let checked = 0;
  try {
    for (let empty = 0; empty < 3;) {
      const { receivedMessageItems: batch } = await queue.receiveMessages({
        numberOfMessages: 32,
        visibilityTimeout: 300,
      });
      if (batch.length === 0) {
        empty += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      empty = 0;
      await forEachLimited(batch, 16, async (message) => {
        const outcome = await runQueuedCheck(
          JSON.parse(Buffer.from(message.messageText, 'base64').toString('utf8')),
          1,
          services,
        );
        if (outcome.outcome !== 'saved') throw new Error(`worker: ${JSON.stringify(outcome)}`);
        await queue.deleteMessage(message.messageId, message.popReceipt);
        checked += 1;
      });
    }
  } finally {
    await agent.close();
  }
  return { checked };
}

/** One cycle drained by one worker process, then by four: the scale-out the queue gives, on this machine. */
async function scaleOut(n: number, opts: Options, dir: string) {
  log(`N = ${n}: one worker against four draining the queue`);
  const sim = await startSim(dir, n, 0, opts.latencyMs);
  const azurite = await startAzurite();
  process.env.IDENTITY_ENDPOINT = sim.ready.endpoints.identity;
  process.env.IDENTITY_HEADER = sim.ready.identityHeader;
  const agent = createAgent(undefined, 16);
  try {
    const queueName = 'bench-checks';
    const { settings } = readSettings({
      TENANT_HEALTH_STORAGE: azurite.connectionString,
      KEY_VAULT_URL: sim.ready.endpoints.keyvault,
      TENANT_HEALTH_ALLOW_LOOPBACK: 'true',
      CHECK_QUEUE: queueName,
    });
    const services = createServices(settings, { dispatcher: routeToSimulatedCloud(sim.ready.baseUrl, agent) });
    await ensureStorage(services);
    await services.store.watch(tenantDefinitionsFor(sim.listing));
    const rate = async (workers: number) => {
      await scheduleCycle(services);
      const started = performance.now();
      const env = {
        ...process.env,
        TH_BENCH_WORKER: JSON.stringify({
          storage: azurite.connectionString,
          vault: sim.ready.endpoints.keyvault,
          sim: sim.ready.baseUrl,
          queue: queueName,
        }),
      };
      const children = Array.from({ length: workers }, () =>
        spawn(process.execPath, [__filename, '--part', 'worker', '--sizes', String(n)], {
          stdio: ['ignore', 'pipe', 'inherit'],
          cwd: ROOT,
          env,
        }),
      );
      const counts = await Promise.all(
        children.map(async (child) => {
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          const [code] = (await once(child, 'exit')) as [number | null];
          if (code !== 0) throw new Error(`a worker exited with ${String(code)}`);
          return (JSON.parse(out.trim().split('\n').pop()!) as { checked: number }).checked;
        }),
      );
      const checked = counts.reduce((a, b) => a + b, 0);
      if (checked !== n) throw new Error(`${workers} worker(s) checked ${checked} of ${n} tenants`);
      const wallMs = performance.now() - started;
      log(`N = ${n}: ${workers} worker(s) drained the cycle in ${Math.round(wallMs)} ms`);
      return { wallMs: Math.round(wallMs), tenantsPerSecond: round((1000 * n) / wallMs, 1) };
    };
    const one = await rate(1);
    const four = await rate(4);
    return { oneWorker: one, fourWorkers: four, scaleOutRatio: round(four.tenantsPerSecond / one.tenantsPerSecond) };
  } finally {
    await agent.close();
    await Promise.all([stop(sim.child), azurite.close()]);
  }
}

/** Runs one part in a process of its own, so that each starts with a cold identity, cache and heap. */
async function part(
  which: 'healthy' | 'mix' | 'scale',
  n: number,
  opts: Options,
  healthyColdMs = 0,
): Promise<Record<string, unknown>> {
  const args = [
    __filename,
    '--part',
    which,
    '--sizes',
    String(n),
    '--concurrency',
    String(opts.concurrency),
    '--latency',
    String(opts.latencyMs),
    '--cycles',
    String(opts.cycles),
    '--healthy-cold-ms',
    String(healthyColdMs),
    ...(opts.profileDir && which === 'healthy' ? ['--profile', opts.profileDir] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the ${which} part for N = ${n} failed (exit ${String(code)})`);
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

/** How long importing a function file takes against bare node, each the median of a few fresh processes. */
function importCosts(): { bareMs: number; statusImportRatio: number; workerImportRatio: number } {
  const time = (script: string) => {
    const runs = Array.from({ length: 5 }, () => {
      const started = performance.now();
      execFileSync(process.execPath, ['-e', script], { stdio: 'ignore', cwd: ROOT });
      return performance.now() - started;
    }).sort((a, b) => a - b);
    return runs[2]!;
  };
  const bareMs = time('');
  const load = (name: string) => time(`require(${JSON.stringify(join(ROOT, 'dist/functions', `${name}.js`))})`);
  const status = Math.max(load('status-summary'), load('status-detail'), load('status-badge'));
  return {
    bareMs: Math.round(bareMs),
    statusImportRatio: round(status / bareMs),
    workerImportRatio: round(load('check-tenant') / bareMs),
  };
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.part) {
    const dir = mkdtempSync(join(tmpdir(), 'th-bench-'));
    try {
      const n = opts.sizes[0]!;
      if (opts.part === 'worker') {
        process.stdout.write(`${JSON.stringify(await drainAsWorker())}\n`);
      } else if (opts.part === 'scale') {
        process.stdout.write(`${JSON.stringify(await scaleOut(n, opts, dir))}\n`);
      } else if (opts.part === 'mix') {
        process.stdout.write(`${JSON.stringify(await failingMix(n, opts, dir, opts.healthyColdMs))}\n`);
      } else {
        const { close, ...measured } = await measureSize(n, opts, dir);
        await close();
        process.stdout.write(`${JSON.stringify(measured)}\n`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const runs: Record<string, unknown>[] = [];
  for (const n of opts.sizes) {
    const measured = await part('healthy', n, opts);
    const mix = await part('mix', n, opts, (measured.cold as { wallMs: number }).wallMs);
    const scale = n === 1000 ? await part('scale', n, opts) : undefined;
    runs.push({
      ...measured,
      failingMix: mix,
      failingMixRatio: mix.failingMixRatio,
      ...(scale ? { scaleOut: scale, scaleOutRatio: scale.scaleOutRatio } : {}),
    });
  }
  // The headline object is the N = 1,000 run when there is one (the issue's reference point), else the first.
  const headline = runs.find((r) => r.n === 1000) ?? runs[0]!;
  const result = { ...headline, ...importCosts(), runs };
  if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
