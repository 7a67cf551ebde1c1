// The simulated Microsoft 365 cloud as one loopback HTTP server: routing, fault injection and the /_sim control surface.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultScenario } from './catalogue';
import { empty, json, type SimRequest, type SimResponse } from './http-kit';
import {
  parseFaultRule,
  parseScenario,
  type ClientProfile,
  type RouteName,
  type Scenario,
  type ScenarioInput,
} from './scenario';
import { handleAdminApi } from './services/adminapi';
import { handleEntra } from './services/entra';
import { handleEws } from './services/ews';
import { handleGraph } from './services/graph';
import { handleIdentity } from './services/identity';
import { handleKeyVault } from './services/keyvault';
import { handleLogicApp, logicAppTriggerPath, logicAppUnavailable } from './services/logicapp';
import { SimWorld } from './world';

const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface SimEndpoints {
  login: string;
  ews: string;
  graph: string;
  adminapi: string;
  keyvault: string;
  logicapp: string;
  /** App Service managed identity endpoint (IDENTITY_ENDPOINT); send identityHeader as X-IDENTITY-HEADER. */
  identity: string;
  identityHeader: string;
}

/** One simulated tenant as GET /_sim/scenarios lists it (docs/contracts/cli.md). The secrets exist only here. */
export interface ScenarioListing {
  tenantId: string;
  name: string;
  domain: string;
  cloud: string;
  expectedCause: string;
  detail?: string;
  clientId: string;
  credential: 'secret' | 'certificate' | 'federated';
  clientSecret?: string;
  certificatePem?: string;
  /** Where tenant-health's vault keeps the credential; absent for a federated credential, which needs none. */
  keyVaultSecretName?: string;
  mailboxes: string[];
  client: ClientProfile;
  sources: string[];
}

export interface SimulatedCloud {
  baseUrl: string;
  endpoints: SimEndpoints;
  /** The trigger URL as Azure shows it (a *.logic.azure.com host), for clients routed to the simulator (sim/route-to-sim.ts). */
  logicAppPublicUrl: string;
  world: SimWorld;
  scenarios(): ScenarioListing[];
  close(): Promise<void>;
}

export interface SimOptions {
  port?: number;
  /** A scenario (validated here); the built-in catalogue when absent. */
  scenario?: Scenario | ScenarioInput;
}

export async function startSimulatedCloud(options: SimOptions = {}): Promise<SimulatedCloud> {
  const world = new SimWorld(parseScenario(options.scenario ?? defaultScenario()));
  const logicAppSignature = randomBytes(32).toString('base64url');
  const identityHeader = randomBytes(16).toString('hex');
  const sockets = new Set<Socket>();
  let baseUrl = '';

  const scenarios = (): ScenarioListing[] =>
    world.tenants.map((t) => {
      const app = t.probeApp;
      // What the tenant's app holds, which is not what Entra has registered when the two were rotated apart.
      const secret =
        t.spec.probe.credential === 'secret' ? (t.spec.probe.vaultValue ?? app.secrets[0]?.value) : undefined;
      const certificatePem = t.spec.probe.credential === 'certificate' ? app.certificates[0]?.pem : undefined;
      return {
        tenantId: t.spec.tenantId,
        name: t.spec.name,
        domain: t.spec.domain,
        cloud: t.spec.cloud,
        expectedCause: t.spec.expectedCause,
        ...(t.spec.detail ? { detail: t.spec.detail } : {}),
        clientId: app.spec.clientId,
        credential: t.spec.probe.credential,
        ...(secret ? { clientSecret: secret } : {}),
        ...(certificatePem ? { certificatePem } : {}),
        ...(t.spec.probe.credential === 'federated' ? {} : { keyVaultSecretName: t.keyVaultSecretName }),
        mailboxes: t.spec.probe.canaries,
        client: t.spec.probe.client,
        sources: t.spec.sources,
      };
    });

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`simulator error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', baseUrl);
    const body = await readBody(request);
    if (body === null)
      return send(
        response,
        json(413, {
          error: {
            code: 'RequestEntityTooLarge',
            message: `Request bodies are limited to ${MAX_REQUEST_BYTES} bytes.`,
          },
        }),
      );
    const routed = routeOf(url.pathname);
    if (!routed)
      return send(
        response,
        control(request.method ?? 'GET', url.pathname, body) ??
          json(404, { error: `nothing simulated at ${url.pathname}` }),
      );
    world.requestCounts[routed.route] = (world.requestCounts[routed.route] ?? 0) + 1;
    const simRequest: SimRequest = {
      method: request.method ?? 'GET',
      path: routed.path,
      query: url.searchParams,
      headers: request.headers,
      body,
      baseUrl,
    };
    const answer = dispatch(routed.route, simRequest);
    const tenantId = answer.tenantId ?? tenantFromPath(routed.route, routed.path);
    await applyFaults(routed.route, tenantId, answer, response, body);
  }

  function dispatch(route: RouteName, request: SimRequest): SimResponse {
    switch (route) {
      case 'login':
        return handleEntra(request, world);
      case 'ews':
        return handleEws(request, world);
      case 'graph':
        return handleGraph(request, world);
      case 'adminapi':
        return handleAdminApi(request, world);
      case 'keyvault':
        return handleKeyVault(request, world);
      case 'logicapp':
        return handleLogicApp(request, world, logicAppSignature);
      case 'identity':
        return handleIdentity(request, world, identityHeader);
    }
  }

  function tenantFromPath(route: RouteName, path: string): string | undefined {
    if (route !== 'login' && route !== 'adminapi') return undefined;
    const segment = path.split('/')[route === 'login' ? 1 : 2];
    return segment ? world.tenant(segment)?.spec.tenantId : undefined;
  }

  /** Latency, resets and injected errors before the answer; slow, truncated or padded bodies while sending it. */
  async function applyFaults(
    route: RouteName,
    tenantId: string | undefined,
    answer: SimResponse,
    response: ServerResponse,
    requestBody: Buffer,
  ): Promise<void> {
    const rules = world.faultsFor(route, tenantId);
    try {
      for (const rule of rules) {
        const delay = rule.latencyMs + world.random() * rule.jitterMs;
        if (delay > 0) await sleep(delay);
        if (rule.hang) {
          await new Promise((resolve) => response.once('close', resolve));
          return;
        }
        if (rule.redirectRate > 0 && world.random() < rule.redirectRate) {
          return send(
            response,
            empty(302, {
              location: 'https://portal.proxy.example/login?return=https%3A%2F%2Foutlook.office365.com%2F',
            }),
          );
        }
        if (rule.echoRequestBody) {
          return send(
            response,
            json(400, {
              error: 'invalid_request',
              error_description: `The request could not be read. Request body: ${requestBody.toString('utf8')}`,
            }),
          );
        }
        if (rule.resetRate > 0 && world.random() < rule.resetRate) {
          // The service did its work; only the answer is lost on the way back.
          answer.onServed?.();
          response.socket?.destroy();
          return;
        }
        if (rule.errorRate > 0 && world.random() < rule.errorRate) {
          return send(response, injectedError(route, rule.errorStatus));
        }
      }
      answer.onServed?.();
      let payload = Buffer.from(answer.body);
      for (const rule of rules) {
        if (rule.malformedRate > 0 && world.random() < rule.malformedRate)
          payload = payload.subarray(0, Math.floor(payload.length / 2));
        if (rule.oversizedBytes > 0) payload = Buffer.concat([payload, Buffer.alloc(rule.oversizedBytes, 0x20)]);
      }
      const slowBodyMs = rules.reduce((sum, r) => sum + r.slowBodyMs, 0);
      const headers = { ...answer.headers };
      delete headers['content-length'];
      response.writeHead(answer.status, { ...headers, 'content-length': String(payload.length) });
      if (slowBodyMs > 0 && payload.length > 0) {
        const chunks = 10;
        const size = Math.ceil(payload.length / chunks);
        for (let i = 0; i < payload.length; i += size) {
          if (response.destroyed) return;
          response.write(payload.subarray(i, i + size));
          await sleep(slowBodyMs / chunks);
        }
        response.end();
      } else {
        response.end(payload);
      }
    } finally {
      answer.onDone?.();
    }
  }

  function control(method: string, path: string, body: Buffer): SimResponse | null {
    if (path === '/_sim/scenarios' && method === 'GET') return json(200, scenarios());
    if (path === '/_sim/logicapp' && method === 'GET') return json(200, world.logicAppInbox);
    if (path === '/_sim/logicapp' && method === 'DELETE') {
      world.logicAppInbox.length = 0;
      return empty(204);
    }
    if (path === '/_sim/requests' && method === 'GET') return json(200, world.requestCounts);
    if (path === '/_sim/clock' && method === 'GET') return json(200, { now: new Date(world.now()).toISOString() });
    if (path === '/_sim/clock' && method === 'POST') {
      const wanted = Date.parse(String((parseJson(body) as { now?: unknown } | null)?.now));
      if (Number.isNaN(wanted)) return json(400, { error: 'expected {"now": "<ISO 8601 instant>"}' });
      world.setNow(wanted);
      return json(200, { now: new Date(world.now()).toISOString() });
    }
    if (path === '/_sim/faults' && method === 'GET') return json(200, world.faults);
    if (path === '/_sim/faults' && method === 'PUT') {
      const rules = parseJson(body);
      if (!Array.isArray(rules)) return json(400, { error: 'expected a JSON array of fault rules' });
      try {
        world.faults = rules.map(parseFaultRule);
      } catch (error) {
        return json(400, { error: error instanceof Error ? error.message : String(error) });
      }
      return json(200, world.faults);
    }
    return null;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    world,
    scenarios,
    endpoints: {
      login: `${baseUrl}/login`,
      ews: `${baseUrl}/EWS/Exchange.asmx`,
      graph: `${baseUrl}/graph`,
      adminapi: `${baseUrl}/adminapi`,
      keyvault: baseUrl,
      logicapp: `${baseUrl}/logicapp${logicAppTriggerPath(logicAppSignature)}`,
      identity: `${baseUrl}/msi/token`,
      identityHeader,
    },
    logicAppPublicUrl: `https://prod-27.westeurope.logic.azure.com:443${logicAppTriggerPath(logicAppSignature)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Which simulated service a path belongs to, and the path as that service sees it. */
function routeOf(pathname: string): { route: RouteName; path: string } | null {
  const prefixes: [string, RouteName][] = [
    ['/login', 'login'],
    ['/graph', 'graph'],
    ['/adminapi', 'adminapi'],
    ['/logicapp', 'logicapp'],
  ];
  for (const [prefix, route] of prefixes) {
    if (pathname === prefix || pathname.startsWith(`${prefix}/`))
      return { route, path: pathname.slice(prefix.length) || '/' };
  }
  if (pathname.toLowerCase() === '/ews/exchange.asmx') return { route: 'ews', path: pathname };
  if (pathname.startsWith('/secrets/')) return { route: 'keyvault', path: pathname };
  if (pathname === '/msi/token') return { route: 'identity', path: pathname };
  return null;
}

function injectedError(route: RouteName, status: number): SimResponse {
  if (route === 'graph')
    return json(
      status,
      {
        error: {
          code: status === 503 ? 'serviceNotAvailable' : 'generalException',
          message: 'The service is temporarily unavailable.',
        },
      },
      status === 503 ? { 'retry-after': '5' } : {},
    );
  if (route === 'login')
    return json(status, {
      error: 'temporarily_unavailable',
      error_description: 'AADSTS90033: A transient error has occurred. Please try again.',
      error_codes: [90033],
    });
  if (route === 'logicapp') return logicAppUnavailable(status);
  return empty(status, status === 503 ? { 'retry-after': '5' } : {});
}

function send(response: ServerResponse, answer: SimResponse): void {
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
  answer.onDone?.();
}

async function readBody(request: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
}
