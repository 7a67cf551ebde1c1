// What the readiness score needs beyond the probes: which apps Microsoft saw calling EWS, and which hold full_access_as_app.
import { FIRST_PARTY_APP_IDS, FULL_ACCESS_AS_APP } from '../core/clouds';
import { forEachLimited } from '../core/pool';
import { parseJsonOrNull } from '../core/json';
import type { TenantDefinition } from '../core/tenants';
import { graphGet, LIST_PROOF } from './graph';
import { jsonProof, type GrantedToken, type ProbeContext, type ProbeDefinition, type ProbeOutcome } from './probe-kit';
import type { EwsInventory, EwsUsageApp, FullAccessGrant } from './facts';

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const MAX_PAGES = 5;
const MAX_HOLDERS = 20;

/**
 * The apps named in Message Center's tenant-specific EWS posts. The body is HTML written for people, not a contract,
 * so each app id is read with whatever call count and date follow it before the next id.
 */
export function readEwsUsagePosts(posts: { id?: unknown; title?: unknown; body?: { content?: unknown } }[]): {
  apps: EwsUsageApp[];
  posts: string[];
} {
  const apps = new Map<string, EwsUsageApp>();
  const ids: string[] = [];
  for (const post of posts) {
    const title = typeof post.title === 'string' ? post.title : '';
    const content = typeof post.body?.content === 'string' ? post.body.content.replace(/<[^>]+>/g, ' ') : '';
    if (!/exchange web services|\bEWS\b/i.test(title)) continue;
    const found = [...content.matchAll(GUID)];
    if (found.length === 0) continue;
    ids.push(String(post.id));
    found.forEach((match, i) => {
      const after = content.slice((match.index ?? 0) + match[0].length, found[i + 1]?.index ?? content.length);
      const calls = /([\d,]+)\s+calls/i.exec(after)?.[1];
      const date = /\d{4}-\d{2}-\d{2}/.exec(after)?.[0];
      const appId = match[0].toLowerCase();
      const earlier = apps.get(appId);
      const app = { appId, calls: calls ? Number(calls.replace(/,/g, '')) : null, lastActivity: date ?? null };
      // The same app in several posts: keep the latest activity.
      if (!earlier || (app.lastActivity ?? '') > (earlier.lastActivity ?? '')) apps.set(appId, app);
    });
  }
  return { apps: [...apps.values()], posts: ids };
}

/** Message Center posts (ServiceMessage.Read.All), following pages up to a bound. */
async function readUsage(
  context: ProbeContext,
  tenant: TenantDefinition,
  token: GrantedToken,
  outcomes: ProbeOutcome[],
): Promise<EwsInventory['usage']> {
  if (!token.claims.roles?.includes('ServiceMessage.Read.All'))
    return {
      unavailable:
        'Message Center posts not read: the app lacks the Graph application permission ServiceMessage.Read.All',
    };
  const posts: { id?: unknown; title?: unknown; body?: { content?: unknown } }[] = [];
  let path: string | null = '/v1.0/admin/serviceAnnouncement/messages';
  for (let page = 0; path && page < MAX_PAGES; page++) {
    const { body, ...outcome }: ProbeOutcome & { body: string } = await graphGet(
      context,
      tenant,
      token,
      'graph.messageCenter',
      path,
      LIST_PROOF,
    );
    outcomes.push(outcome);
    if (!outcome.result.ok)
      return { unavailable: `Message Center posts not read: Graph answered ${outcome.result.status ?? 'no response'}` };
    const parsed = parseJsonOrNull(body) as { value?: unknown; '@odata.nextLink'?: unknown } | null;
    if (!Array.isArray(parsed?.value))
      return { unavailable: 'Message Center posts not read: the answer was not a list of messages' };
    posts.push(...(parsed.value as typeof posts));
    const next = parsed['@odata.nextLink'];
    path = typeof next === 'string' && next.includes('/v1.0/') ? next.slice(next.indexOf('/v1.0/')) : null;
  }
  return readEwsUsagePosts(posts);
}

/** Service principals holding full_access_as_app on Office 365 Exchange Online (Application.Read.All). */
async function readGrants(
  context: ProbeContext,
  tenant: TenantDefinition,
  token: GrantedToken,
  outcomes: ProbeOutcome[],
): Promise<EwsInventory['grants']> {
  const roles = token.claims.roles ?? [];
  if (
    !['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'].some((r) =>
      roles.includes(r),
    )
  ) {
    return {
      unavailable:
        'full_access_as_app grants not read: the app lacks the Graph application permission Application.Read.All',
    };
  }
  const { body, ...outcome }: ProbeOutcome & { body: string } = await graphGet(
    context,
    tenant,
    token,
    'graph.ewsGrants',
    `/v1.0/servicePrincipals(appId='${FIRST_PARTY_APP_IDS.exchange}')/appRoleAssignedTo`,
    LIST_PROOF,
  );
  outcomes.push(outcome);
  const assignments = (parseJsonOrNull(body) as { value?: unknown } | null)?.value;
  if (!outcome.result.ok || !Array.isArray(assignments))
    return {
      unavailable: `full_access_as_app grants not read: Graph answered ${outcome.result.status ?? 'no response'}`,
    };
  const holders = (assignments as { appRoleId?: unknown; principalId?: unknown; principalDisplayName?: unknown }[])
    .filter((a) => a.appRoleId === FULL_ACCESS_AS_APP.id && typeof a.principalId === 'string')
    .slice(0, MAX_HOLDERS);
  // The holders' app ids, four reads at a time (Graph's concurrency per app is the bound that matters), kept in order.
  const reads: { read: ProbeOutcome; grant: FullAccessGrant }[] = new Array<{
    read: ProbeOutcome;
    grant: FullAccessGrant;
  }>(holders.length);
  await forEachLimited(holders, 4, async (holder, index) => {
    const { body: principal, ...read }: ProbeOutcome & { body: string } = await graphGet(
      context,
      tenant,
      token,
      'graph.servicePrincipal',
      `/v1.0/servicePrincipals/${encodeURIComponent(holder.principalId as string)}?$select=appId,displayName`,
      jsonProof("the service principal's appId", (b) => typeof b.appId === 'string'),
    );
    const appId = (parseJsonOrNull(principal) as { appId?: unknown } | null)?.appId;
    reads[index] = {
      read,
      grant: {
        appId: typeof appId === 'string' ? appId.toLowerCase() : null,
        displayName:
          typeof holder.principalDisplayName === 'string' ? holder.principalDisplayName : String(holder.principalId),
      },
    };
  });
  outcomes.push(...reads.map((r) => r.read));
  return { holders: reads.map((r) => r.grant) };
}

/** Reads both parts with the tenant's Graph token; a part that cannot be read says why. */
export async function probeEwsInventory(
  context: ProbeContext,
  tenant: TenantDefinition,
  token: GrantedToken,
): Promise<{ probes: ProbeOutcome[]; inventory: EwsInventory }> {
  // The two parts at once; their lines keep the usage-then-grants order.
  const usageLines: ProbeOutcome[] = [];
  const grantLines: ProbeOutcome[] = [];
  const [usage, grants] = await Promise.all([
    readUsage(context, tenant, token, usageLines),
    readGrants(context, tenant, token, grantLines),
  ]);
  return { probes: [...usageLines, ...grantLines], inventory: { usage, grants } };
}

const unreadable = (why: string): EwsInventory => ({
  usage: { unavailable: `Message Center posts not read: ${why}` },
  grants: { unavailable: `full_access_as_app grants not read: ${why}` },
});

/** The EWS inventory through Graph; when it cannot be read, the facts say why, and no line is added. */
export const EWS_INVENTORY_PROBE: ProbeDefinition = {
  name: 'graph.messageCenter',
  per: 'tenant',
  enabled: () => true,
  token: (tenant) => (tenant.checks.graph.enabled ? 'graph' : null),
  run: async ({ context, tenant, token }) => {
    if (!token)
      return { outcomes: [], facts: { ewsInventory: unreadable('the Graph checks are turned off for this tenant') } };
    const read = await probeEwsInventory(context, tenant, token);
    return { outcomes: read.probes, facts: { ewsInventory: read.inventory } };
  },
  unable: (reason) => ({ outcomes: [], facts: { ewsInventory: unreadable(reason) } }),
  readiness: ['A', 'D'],
  // Message Center posts on EWS usage come monthly, and grants change when an admin consents: six hours is fresh.
  cacheForMs: 6 * 60 * 60_000,
};
