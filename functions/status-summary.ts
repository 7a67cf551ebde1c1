// HTTP GET /api/status: the summary for status pages: overall and per-tenant state.
import { app } from '@azure/functions';
import { statusSummary } from '../shared/status-api';
import { httpHandler } from './lib/http-adapter';

export const handler = httpHandler(statusSummary);

app.http('statusSummary', { methods: ['GET'], authLevel: 'anonymous', route: 'status', handler });
