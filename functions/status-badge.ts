// HTTP GET /api/status/{tenant}/badge: a shields.io endpoint badge of one tenant's state.
import { app } from '@azure/functions';
import { statusBadge } from '../shared/status-api';
import { httpHandler } from './lib/http-adapter';

export const handler = httpHandler(statusBadge);

app.http('statusBadge', { methods: ['GET'], authLevel: 'anonymous', route: 'status/{tenant}/badge', handler });
