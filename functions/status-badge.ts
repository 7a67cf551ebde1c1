// HTTP GET /api/status/{tenant}/badge: a shields.io endpoint badge of one tenant's state.
import { app } from '@azure/functions';
import { HTTP_ROUTES } from '../shared/service/status-api';
import { httpHandler } from './lib/http-adapter';

const { name, method, route, authLevel, api } = HTTP_ROUTES.statusBadge;

export const handler = httpHandler(api);

app.http(name, { methods: [method], authLevel, route, handler });
