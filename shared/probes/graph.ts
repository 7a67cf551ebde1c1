// The Graph probes: the same canary's inbox (the path that must work before EWS is gone), and an organization read.
import { randomUUID } from 'node:crypto';
import { CLOUDS } from '../core/clouds';
import { parseJsonOrNull } from '../core/json';
import type { TenantDefinition } from '../core/tenants';
import type { DirectoryFacts } from './facts';
import {
  callOnce,
  jsonProof,
  throttleWaitMs,
  type GrantedToken,
  type ProbeContext,
  type ProbeDefinition,
  type ProbeName,
  type ProbeOutcome,
  type Proof,
} from './probe-kit';

/** One Graph GET as a probe; the whole body is returned beside the outcome for callers that read it. */
export async function graphGet(
  context: ProbeContext,
  tenant: TenantDefinition,
  token: GrantedToken,
  name: ProbeName,
  path: string,
  proof: Proof,
  mailbox?: string,
): Promise<ProbeOutcome & { body: string }> {
  const { exchange, evidence, ms, ok } = await callOnce(
    context,
    {
      endpoint: 'graph',
      operation: `GET ${path.split('?')[0]}`,
      authMode: 'app-only',
      ...(mailbox ? { mailbox } : {}),
      method: 'GET',
      url: `${CLOUDS[tenant.cloud].graph}${path}`,
      headers: {
        authorization: `Bearer ${token.token}`,
        accept: 'application/json',
        'user-agent': context.userAgent,
        'client-request-id': randomUUID(),
      },
      tokenClaims: token.claims,
    },
    throttleWaitMs,
    proof,
  );
  return {
    result: { name, ...(mailbox ? { mailbox } : {}), ok, status: exchange.status, ms },
    evidence,
    body: exchange.body,
  };
}

export const probeGraphInbox = (
  context: ProbeContext,
  tenant: TenantDefinition,
  mailbox: string,
  token: GrantedToken,
) =>
  graphGet(
    context,
    tenant,
    token,
    'graph.inbox',
    `/v1.0/users/${encodeURIComponent(mailbox)}/mailFolders/inbox?$select=id,displayName,totalItemCount`,
    jsonProof('the inbox folder (an id)', (b) => typeof b.id === 'string'),
    mailbox,
  );

export const probeGraphOrganization = (context: ProbeContext, tenant: TenantDefinition, token: GrantedToken) =>
  graphGet(
    context,
    tenant,
    token,
    'graph.organization',
    '/v1.0/organization?$select=id,displayName,verifiedDomains',
    LIST_PROOF,
  );

/** A tenant can verify thousands of domains; lookups by domain need the ones people type, which come first. */
const MAX_DOMAINS = 50;

/** The organization's name and verified domains, when Graph's answer holds them. */
export function readDirectory(body: string): DirectoryFacts | undefined {
  const org = (parseJsonOrNull(body) as { value?: unknown[] } | null)?.value?.[0] as
    { displayName?: unknown; verifiedDomains?: { name?: unknown; isDefault?: unknown }[] } | undefined;
  if (!org) return undefined;
  const verified = Array.isArray(org.verifiedDomains) ? org.verifiedDomains : [];
  const domains = verified
    .filter((d) => typeof d?.name === 'string')
    .sort((a, b) => Number(b.isDefault === true) - Number(a.isDefault === true))
    .map((d) => String(d.name).toLowerCase())
    .slice(0, MAX_DOMAINS);
  return { displayName: typeof org.displayName === 'string' ? org.displayName : null, domains };
}

/** Collection reads prove themselves with a value array, even an empty one. */
export const LIST_PROOF = jsonProof('a value list', (b) => Array.isArray(b.value));

/** The canary's inbox through Graph: the path that must work before EWS is gone. */
export const GRAPH_INBOX_PROBE: ProbeDefinition = {
  name: 'graph.inbox',
  per: 'mailbox',
  enabled: (tenant) => tenant.checks.graph.enabled,
  token: () => 'graph',
  run: async ({ context, tenant, token, mailbox }) => ({
    outcomes: [await probeGraphInbox(context, tenant, mailbox!, token!)],
  }),
  permission: {
    check: 'graph.mailbox',
    resource: 'graph',
    roles: ['Mail.ReadBasic', 'Mail.ReadBasic.All', 'Mail.Read', 'Mail.ReadWrite'],
  },
  readiness: ['B'],
};

/** The organization through Graph: that the app reaches the tenant's directory at all. */
export const GRAPH_ORGANIZATION_PROBE: ProbeDefinition = {
  name: 'graph.organization',
  per: 'tenant',
  enabled: (tenant) => tenant.checks.graph.enabled,
  token: () => 'graph',
  run: async ({ context, tenant, token }) => {
    const { body, ...outcome } = await probeGraphOrganization(context, tenant, token!);
    const directory = outcome.result.ok ? readDirectory(body) : undefined;
    return { outcomes: [outcome], ...(directory ? { facts: { directory } } : {}) };
  },
  permission: {
    check: 'graph.organization',
    resource: 'graph',
    roles: ['Organization.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  },
};
