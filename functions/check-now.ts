// HTTP POST /api/check/{tenant} and /api/check/{tenant}/apps/{app}: on-demand checks of a watched tenant's apps, or of
// one, behind the admin key.
import { HTTP_ROUTES } from '../shared/service/status-api';
import { registerRoute } from './lib/http-adapter';

export const handler = registerRoute(HTTP_ROUTES.checkTenantNow);
registerRoute(HTTP_ROUTES.checkAppNow);
