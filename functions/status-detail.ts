// HTTP GET /api/status/{tenant} (its apps rolled up) and /api/status/{tenant}/apps/{app} (one app's findings, fixes,
// evidence and history), behind a function key.
import { HTTP_ROUTES } from '../shared/service/status-api';
import { registerRoute } from './lib/http-adapter';

export const tenantHandler = registerRoute(HTTP_ROUTES.statusTenant);
export const handler = registerRoute(HTTP_ROUTES.statusDetail);
