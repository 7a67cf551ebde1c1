// The Graph probes: the same canary's inbox (the path that must work before EWS is gone), and an organization read.
import { randomUUID } from 'node:crypto';
import { CLOUDS } from '../core/clouds';
import type { TokenClaims } from '../core/evidence';
import type { TenantDefinition } from '../core/tenants';
import { callOnce, jsonProof, throttleWaitMs, type ProbeContext, type ProbeOutcome, type Proof } from './probe-kit';

export interface GraphToken { token: string; claims: TokenClaims }

/** One Graph GET as a probe; the whole body is returned beside the outcome for callers that read it. */
export async function graphGet(context: ProbeContext, tenant: TenantDefinition, token: GraphToken, name: string, path: string, proof: Proof, mailbox?: string): Promise<ProbeOutcome & { body: string }> {
  const { exchange, evidence, ms, ok } = await callOnce(context, {
    endpoint: 'graph',
    operation: `GET ${path.split('?')[0]}`,
    authMode: 'app-only',
    ...(mailbox ? { mailbox } : {}),
    method: 'GET',
    url: `${CLOUDS[tenant.cloud].graph}${path}`,
    headers: { authorization: `Bearer ${token.token}`, accept: 'application/json', 'user-agent': context.userAgent, 'client-request-id': randomUUID() },
    tokenClaims: token.claims,
  }, throttleWaitMs, proof);
  return { result: { name, ...(mailbox ? { mailbox } : {}), ok, status: exchange.status, ms }, evidence, body: exchange.body };
}

export const probeGraphInbox = (context: ProbeContext, tenant: TenantDefinition, mailbox: string, token: GraphToken) =>
  graphGet(context, tenant, token, 'graph.inbox', `/v1.0/users/${encodeURIComponent(mailbox)}/mailFolders/inbox?$select=id,displayName,totalItemCount`, jsonProof('the inbox folder (an id)', (b) => typeof b.id === 'string'), mailbox);

export const probeGraphOrganization = (context: ProbeContext, tenant: TenantDefinition, token: GraphToken) =>
  graphGet(context, tenant, token, 'graph.organization', '/v1.0/organization?$select=id,displayName', LIST_PROOF);

/** Collection reads prove themselves with a value array, even an empty one. */
export const LIST_PROOF = jsonProof('a value list', (b) => Array.isArray(b.value));
