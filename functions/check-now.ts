// HTTP POST /api/check/{tenant}: an on-demand check of one watched tenant, behind the admin key.
import { app } from '@azure/functions';
import { HTTP_ROUTES } from '../shared/service/status-api';
import { httpHandler } from './lib/http-adapter';

const { name, method, route, authLevel, api } = HTTP_ROUTES.checkTenantNow;

export const handler = httpHandler(api);

app.http(name, { methods: [method], authLevel, route, handler });
