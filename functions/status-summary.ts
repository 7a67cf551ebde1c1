// HTTP GET /api/status: the summary for status pages: overall and per-tenant state, each tenant's apps rolled up.
import { HTTP_ROUTES } from '../shared/service/status-api';
import { registerRoute } from './lib/http-adapter';

export const handler = registerRoute(HTTP_ROUTES.statusSummary);
