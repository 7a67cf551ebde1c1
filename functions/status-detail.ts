// HTTP GET /api/status/{tenant}: one tenant's findings, fixes, evidence and history, behind a function key.
import { app } from '@azure/functions';
import { HTTP_ROUTES } from '../shared/service/status-api';
import { httpHandler } from './lib/http-adapter';

const { name, method, route, authLevel, api } = HTTP_ROUTES.statusDetail;

export const handler = httpHandler(api);

app.http(name, { methods: [method], authLevel, route, handler });
