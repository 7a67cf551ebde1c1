// HTTP GET /api/status/{tenant}: one tenant's findings, fixes, evidence and history, behind a function key.
import { app } from '@azure/functions';
import { statusDetail } from '../shared/status-api';
import { httpHandler } from './lib/http-adapter';

export const handler = httpHandler(statusDetail);

app.http('statusDetail', { methods: ['GET'], authLevel: 'function', route: 'status/{tenant}', handler });
