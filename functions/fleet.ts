// HTTP GET /api/fleet: the fleet's EWS view, each tenant's apps against its EwsAllowedAppIDs, with merge scripts (function key).
import { HTTP_ROUTES } from '../shared/service/status-api';
import { registerRoute } from './lib/http-adapter';

export const handler = registerRoute(HTTP_ROUTES.fleet);
