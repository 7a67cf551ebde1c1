// HTTP GET /api/status/page: every watched app's state as a page for people, tenants by alias unless names are public.
import { HTTP_ROUTES } from '../shared/service/status-api';
import { registerRoute } from './lib/http-adapter';

export const handler = registerRoute(HTTP_ROUTES.statusPage);
