// HTTP GET /api/status: the summary for status pages: overall and per-tenant state.
import { app } from '@azure/functions';
import { HTTP_ROUTES } from '../shared/service/status-api';
import { httpHandler } from './lib/http-adapter';

const { name, method, route, authLevel, api } = HTTP_ROUTES.statusSummary;

export const handler = httpHandler(api);

app.http(name, { methods: [method], authLevel, route, handler });
