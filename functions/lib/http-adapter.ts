// Adapts a Functions HttpRequest to the host-free status API and back.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { ServiceDeps } from '../../shared/check-service';
import { redact } from '../../shared/redact';
import type { ApiRequest, ApiResponse } from '../../shared/status-api';
import { runtime } from './runtime';

type Api = (request: ApiRequest, deps: ServiceDeps, log: (error: unknown) => void) => Promise<ApiResponse>;

export const describeError = (error: unknown) => redact(error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export function httpHandler(api: Api) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    let deps: ServiceDeps | null;
    let problems: string[];
    try {
      ({ deps, problems } = await runtime());
    } catch (error) {
      context.error(`storage is unavailable: ${describeError(error)}`);
      return { status: 503, headers: { 'content-type': 'application/problem+json; charset=utf-8', 'retry-after': '30' }, jsonBody: { title: 'Status unavailable', status: 503, detail: 'Stored results could not be read; try again shortly.' } };
    }
    if (!deps) {
      context.error(`not configured: ${problems.join('; ')}`);
      return { status: 500, headers: { 'content-type': 'application/problem+json; charset=utf-8' }, jsonBody: { title: 'Not configured', status: 500, detail: problems.join('; ') } };
    }
    const response = await api({ method: request.method, params: request.params, query: request.query, header: (name) => request.headers.get(name) }, deps, (error) => context.error(describeError(error)));
    return { status: response.status, headers: response.headers, ...(response.jsonBody !== undefined ? { jsonBody: response.jsonBody } : {}) };
  };
}
