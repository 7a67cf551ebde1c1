// Serves the Functions' HTTP routes (/api/...) on loopback with node:http, as `func start` would, for `demo --serve`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceDeps } from '../shared/service/check-service';
import { describeError } from '../shared/core/redact';
import { HTTP_ROUTES, problem, type ApiResponse, type HttpRoute } from '../shared/service/status-api';
import { UsageError } from './args';

export interface RunningStatusServer {
  baseUrl: string;
  close(): Promise<void>;
}

type Match = { ok: true; route: HttpRoute; params: Record<string, string> } | { ok: false; response: ApiResponse };

const ROUTES: HttpRoute[] = Object.values(HTTP_ROUTES);

/** Finds the route for a request path below /api, decoding each segment as the Functions host does. */
export function matchRoute(method: string, pathname: string): Match {
  const raw = pathname.replace(/\/+$/, '').split('/').slice(1);
  if (raw[0] !== 'api')
    return { ok: false, response: problem(404, 'Not found', 'Every route is below /api; try /api/status.') };
  let segments: string[];
  try {
    segments = raw.slice(1).map(decodeURIComponent);
  } catch {
    return { ok: false, response: problem(400, 'Bad path', 'The path is not valid percent-encoding.') };
  }
  // As in the Functions host's routing, a literal segment wins over a parameter: /api/status/page is not a tenant.
  const matches = ROUTES.map((route) => ({ route, params: bind(route.route.split('/'), segments) }))
    .filter((m) => m.params !== null)
    .sort((a, b) => literals(b.route) - literals(a.route));
  const found = matches.find((m) => m.route.method === method);
  if (found?.params) return { ok: true, route: found.route, params: found.params };
  if (!matches.length)
    return { ok: false, response: problem(404, 'Not found', 'No such route; see openapi/tenant-health.openapi.json.') };
  const allow = matches.map((m) => m.route.method).join(', ');
  const refused = problem(405, 'Method not allowed', `This route answers ${allow}.`);
  return { ok: false, response: { ...refused, headers: { ...refused.headers, allow } } };
}

const literals = (route: HttpRoute) => route.route.split('/').filter((part) => !part.startsWith('{')).length;

function bind(pattern: string[], segments: string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i] as string;
    if (part.startsWith('{')) params[part.slice(1, -1)] = segment;
    else if (part.toLowerCase() !== segment.toLowerCase()) return null;
  }
  return params;
}

async function answer(request: IncomingMessage, deps: ServiceDeps, log: (line: string) => void): Promise<ApiResponse> {
  request.resume(); // no route reads a body
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const match = matchRoute(request.method ?? 'GET', url.pathname);
  if (!match.ok) return match.response;
  return match.route.api(
    {
      method: match.route.method,
      params: match.params,
      query: url.searchParams,
      header: (name) => headerValue(request, name),
    },
    deps,
    (error) => log(`${match.route.name}: ${describeError(error)}`),
  );
}

const headerValue = (request: IncomingMessage, name: string): string | null => {
  const value = request.headers[name.toLowerCase()];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
};

function write(response: ServerResponse, answered: ApiResponse): void {
  const body = answered.body ?? (answered.jsonBody === undefined ? '' : JSON.stringify(answered.jsonBody));
  response.writeHead(answered.status, { ...answered.headers, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/** Starts serving on 127.0.0.1; port 0 takes any free port. Keys are not enforced, as under `func start`. */
export async function startStatusServer(
  deps: ServiceDeps,
  port: number,
  log: (line: string) => void,
): Promise<RunningStatusServer> {
  const server = createServer((request, response) => {
    const started = Date.now();
    answer(request, deps, log)
      .catch((error: unknown) => {
        log(`unexpected: ${describeError(error)}`);
        return problem(500, 'Internal error', 'The request could not be answered.');
      })
      .then(
        (answered) => {
          write(response, answered);
          log(
            `${request.method} ${new URL(request.url ?? '/', 'http://127.0.0.1').pathname} ${answered.status} ${Date.now() - started}ms`,
          );
        },
        () => response.destroy(),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' ? new UsageError(`--port ${port}: 127.0.0.1:${port} is already in use`) : error,
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
