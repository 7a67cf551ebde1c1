// Adapts a Functions HttpRequest to the host-free status API and back.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import type { ServiceDeps } from '../../shared/service/check-service';
import { describeError } from '../../shared/core/redact';
import { problem, type ApiResponse, type HttpRoute, type StatusApi } from '../../shared/service/status-api';
import { runtime } from './runtime';

const toHttp = (response: ApiResponse): HttpResponseInit => ({
  status: response.status,
  headers: response.headers,
  ...(response.jsonBody !== undefined ? { jsonBody: response.jsonBody } : {}),
  ...(response.body !== undefined ? { body: response.body } : {}),
});

export function httpHandler(api: StatusApi) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    let deps: ServiceDeps | null;
    let problems: string[];
    try {
      ({ deps, problems } = await runtime());
    } catch (error) {
      context.error(`storage is unavailable: ${describeError(error)}`);
      return toHttp(problem(503, 'Status unavailable', 'Stored results could not be read; try again shortly.'));
    }
    if (!deps) {
      context.error(`not configured: ${problems.join('; ')}`);
      return toHttp(problem(500, 'Not configured', problems.join('; ')));
    }
    return toHttp(
      await api(
        {
          method: request.method,
          params: request.params,
          query: request.query,
          header: (name) => request.headers.get(name),
        },
        deps,
        (error) => context.error(describeError(error)),
      ),
    );
  };
}

/** Registers one route with the host and returns its handler, for the tests that call it directly. */
export function registerRoute({ name, method, route, authLevel, api }: HttpRoute) {
  const handler = httpHandler(api);
  app.http(name, { methods: [method], authLevel, route, handler });
  return handler;
}
