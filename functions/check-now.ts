// HTTP POST /api/check/{tenant}: an on-demand check of one watched tenant, behind the admin key.
import { app } from '@azure/functions';
import { checkTenantNow } from '../shared/status-api';
import { httpHandler } from './lib/http-adapter';

export const handler = httpHandler(checkTenantNow);

app.http('checkTenantNow', { methods: ['POST'], authLevel: 'admin', route: 'check/{tenant}', handler });
