// HTTP GET /api/status/{tenant}/badge and /api/status/{tenant}/apps/{app}/badge: shields.io endpoint badges of a
// tenant's apps rolled up, or of one app.
import { HTTP_ROUTES } from '../shared/service/status-api';
import { registerRoute } from './lib/http-adapter';

export const handler = registerRoute(HTTP_ROUTES.statusBadge);
registerRoute(HTTP_ROUTES.statusAppBadge);
