// The fleet's EWS view: every app seen calling EWS or holding full_access_as_app, tenant by tenant, against that tenant's EwsEnabled and EwsAllowedAppIDs.
import type { ControlPlaneFacts, EwsInventory } from '../probes/facts';
import { appNameOf } from './known-apps';
import { GUID_PATTERN } from './tenant-id';
import { EWS_ENFORCEMENT_START, EWS_SHUTDOWN, daysToShutdown } from './ews-timeline';
import { ACTIVE_DAYS, type ReadinessBand } from './readiness';
import { allowListMergeScript } from './allow-list-script';

/** What the view reads of one watched entry's latest result: a stored status row or a run's result gives it. */
export interface FleetEntry {
  tenantId: string;
  name: string;
  tags?: Record<string, string>;
  app: { clientId: string; name?: string; ews: 'oauth' | 'basic' | 'off' };
  checkedAt: string;
  readiness: { band: ReadinessBand; score: number | null };
  controlPlane?: ControlPlaneFacts;
  ewsInventory?: EwsInventory;
  /** The tenant's directory id, when its tokens named it: the merge script checks it is connected to that tenant. */
  directoryId?: string | null;
}

/**
 * Where an app stands, in the order things break: refused now; cannot be told (the settings were not read); allowed
 * until the shutdown; listed but not calling (stale); neither calling nor listed, but holding the permission (dormant).
 */
export type FleetAppState = 'broken' | 'unknown' | 'allowed' | 'stale' | 'dormant';
export const FLEET_STATES: readonly FleetAppState[] = ['broken', 'unknown', 'allowed', 'stale', 'dormant'];

export interface FleetApp {
  appId: string;
  name: string | null;
  state: FleetAppState;
  /** Why: the setting that decides it, in words. */
  because: string;
  calling: boolean;
  /** Calls in Message Center's report, and the last day it saw one. */
  calls: number | null;
  lastActivity: string | null;
  /** Watched here with EWS turned on in its checks. */
  watched: boolean;
  onAllowList: boolean | null;
  holdsFullAccess: boolean;
  /** Days until this app's EWS stops working: 0 when it already has. */
  daysLeft: number;
}

export interface FleetTenant {
  tenantId: string;
  /** Its directory id (GUID), when known. */
  directoryId: string | null;
  name: string;
  tags: Record<string, string>;
  checkedAt: string;
  /** The worst band among its apps' readiness scores. */
  band: ReadinessBand;
  daysLeft: number;
  /** Get-OrganizationConfig EwsEnabled and EwsAllowedAppIDs; undefined when no check could read them. */
  ewsEnabled?: boolean | null;
  allowList?: string[] | null;
  /** Where EWS usage came from, or why it is not known. */
  usage: string;
  apps: FleetApp[];
  /** Apps calling EWS that the allow list lacks, and listed apps that no longer call. */
  drift: { missing: string[]; stale: string[] };
}

export interface FleetView {
  at: string;
  daysToShutdown: number;
  counts: Record<FleetAppState, number> & { tenants: number; apps: number; tenantsWithDrift: number };
  tenants: FleetTenant[];
}

const DAY = 86_400_000;
const BAND_ORDER: ReadinessBand[] = ['critical', 'at risk', 'unknown', 'on track', 'ready'];

/** Whether EWS lets an app through now, by the org-level tables in docs (reference section 1.2). */
function accessOf(
  ewsEnabled: boolean | null | undefined,
  list: string[] | null | undefined,
  appId: string,
  at: number,
): { access: 'allowed' | 'blocked' | 'unknown'; because: string } {
  if (at >= EWS_SHUTDOWN)
    return { access: 'blocked', because: 'EWS in Exchange Online was switched off on 2027-04-01' };
  if (ewsEnabled === undefined)
    return { access: 'unknown', because: 'EwsEnabled and EwsAllowedAppIDs were not read (no control-plane access)' };
  if (ewsEnabled === false) return { access: 'blocked', because: 'EwsEnabled is False: all EWS is blocked' };
  if (ewsEnabled === null)
    return {
      access: 'allowed',
      because: 'EwsEnabled is not set: EWS is allowed (the list is ignored) until Microsoft sets it to False',
    };
  if (!list || list.length === 0)
    return at >= EWS_ENFORCEMENT_START
      ? { access: 'blocked', because: 'EwsEnabled is True with an empty EwsAllowedAppIDs: all EWS is blocked' }
      : { access: 'allowed', because: 'EwsEnabled is True with no EwsAllowedAppIDs: allowed until 2026-10-01' };
  return list.includes(appId)
    ? { access: 'allowed', because: 'listed in EwsAllowedAppIDs' }
    : { access: 'blocked', because: 'not in EwsAllowedAppIDs' };
}

/** The newest entry that read a fact: a tenant's apps each see the same tenant, some with more permissions. */
const newestWith = <T>(entries: FleetEntry[], pick: (e: FleetEntry) => T | undefined): T | undefined =>
  [...entries]
    .sort((a, b) => b.checkedAt.localeCompare(a.checkedAt))
    .map(pick)
    .find((v) => v !== undefined);

function tenantOf(entries: FleetEntry[], at: number): FleetTenant {
  const first = entries[0]!;
  const plane = newestWith(entries, (e) =>
    e.controlPlane?.organizationEwsEnabled !== undefined ? e.controlPlane : undefined,
  );
  const usage = newestWith(entries, (e) =>
    e.ewsInventory && 'apps' in e.ewsInventory.usage ? e.ewsInventory.usage : undefined,
  );
  const holders = newestWith(entries, (e) =>
    e.ewsInventory && 'holders' in e.ewsInventory.grants ? e.ewsInventory.grants.holders : undefined,
  );
  const list = plane?.ewsAllowedAppIds?.map((id) => id.toLowerCase()) ?? (plane ? null : undefined);
  const ids = new Set<string>([
    ...(usage?.apps.map((u) => u.appId.toLowerCase()) ?? []),
    ...(holders?.flatMap((h) => (h.appId ? [h.appId.toLowerCase()] : [])) ?? []),
    ...(list ?? []),
    ...entries.filter((e) => e.app.ews !== 'off').map((e) => e.app.clientId.toLowerCase()),
  ]);
  const shutdownDays = Math.max(0, daysToShutdown(at));
  const apps = [...ids].map((appId): FleetApp => {
    const seen = usage?.apps.find((u) => u.appId.toLowerCase() === appId);
    const own = entries.find((e) => e.app.clientId.toLowerCase() === appId);
    const holder = holders?.find((h) => h.appId?.toLowerCase() === appId);
    const watched = own !== undefined && own.app.ews !== 'off';
    const recent =
      seen !== undefined && (seen.lastActivity === null || at - Date.parse(seen.lastActivity) <= ACTIVE_DAYS * DAY);
    const calling = watched || recent;
    // A list that is not set lists nobody; only a list nobody could read leaves it open.
    const onAllowList = list === undefined ? null : (list ?? []).includes(appId);
    const { access, because } = accessOf(plane?.organizationEwsEnabled, list, appId, at);
    const state: FleetAppState = calling
      ? access === 'blocked'
        ? 'broken'
        : access === 'unknown'
          ? 'unknown'
          : 'allowed'
      : onAllowList
        ? 'stale'
        : 'dormant';
    return {
      appId,
      name: appNameOf(appId, { tokenName: own?.app.name, servicePrincipalName: holder?.displayName }) ?? null,
      state,
      because: calling
        ? because
        : onAllowList
          ? 'listed in EwsAllowedAppIDs but not seen calling EWS'
          : 'holds full_access_as_app but is not seen calling EWS',
      calling,
      calls: seen?.calls ?? null,
      lastActivity: seen?.lastActivity ?? null,
      watched,
      onAllowList,
      holdsFullAccess: holder !== undefined,
      daysLeft: state === 'broken' ? 0 : shutdownDays,
    };
  });
  apps.sort(
    (a, b) =>
      FLEET_STATES.indexOf(a.state) - FLEET_STATES.indexOf(b.state) ||
      (b.calls ?? -1) - (a.calls ?? -1) ||
      a.appId.localeCompare(b.appId),
  );
  const drift =
    list === undefined
      ? { missing: [], stale: [] }
      : {
          missing: apps.filter((a) => a.calling && !a.onAllowList).map((a) => a.appId),
          stale: apps.filter((a) => a.state === 'stale').map((a) => a.appId),
        };
  const bands = entries.map((e) => e.readiness.band);
  return {
    tenantId: first.tenantId,
    directoryId: GUID_PATTERN.test(first.tenantId)
      ? first.tenantId.toLowerCase()
      : (newestWith(entries, (e) => e.directoryId ?? undefined) ?? null),
    name: first.name,
    tags: Object.assign({}, ...entries.map((e) => e.tags ?? {})) as Record<string, string>,
    checkedAt: entries.map((e) => e.checkedAt).sort()[0]!,
    band: BAND_ORDER.find((b) => bands.includes(b)) ?? 'unknown',
    daysLeft: apps.some((a) => a.state === 'broken') ? 0 : shutdownDays,
    ...(plane ? { ewsEnabled: plane.organizationEwsEnabled ?? null, allowList: list ?? null } : {}),
    usage: usage
      ? `Message Center posts ${usage.posts.join(', ') || '(none name apps)'}`
      : (newestWith(entries, (e) =>
          e.ewsInventory && 'unavailable' in e.ewsInventory.usage ? e.ewsInventory.usage.unavailable : undefined,
        ) ?? 'not read: no check reached Message Center'),
    apps,
    drift,
  };
}

/** The worst app of a tenant decides where it sorts: a broken app first, then the tenant with the most calls at stake. */
const rankOf = (t: FleetTenant) => Math.min(...t.apps.map((a) => FLEET_STATES.indexOf(a.state)), FLEET_STATES.length);
const callsAtStake = (t: FleetTenant) => t.apps.reduce((n, a) => n + (a.calling ? (a.calls ?? 0) : 0), 0);

/** The view over every entry's latest result at a moment; entries of one tenant are read together. */
export function fleetView(entries: FleetEntry[], at: number): FleetView {
  const byTenant = new Map<string, FleetEntry[]>();
  for (const entry of entries) {
    const key = entry.tenantId.toLowerCase();
    byTenant.set(key, [...(byTenant.get(key) ?? []), entry]);
  }
  const tenants = [...byTenant.values()]
    .map((group) => tenantOf(group, at))
    .sort(
      (a, b) =>
        rankOf(a) - rankOf(b) ||
        BAND_ORDER.indexOf(a.band) - BAND_ORDER.indexOf(b.band) ||
        callsAtStake(b) - callsAtStake(a) ||
        a.name.localeCompare(b.name),
    );
  const apps = tenants.flatMap((t) => t.apps);
  const counts = Object.fromEntries(FLEET_STATES.map((s) => [s, apps.filter((a) => a.state === s).length])) as Record<
    FleetAppState,
    number
  >;
  return {
    at: new Date(at).toISOString(),
    daysToShutdown: Math.max(0, daysToShutdown(at)),
    counts: {
      ...counts,
      tenants: tenants.length,
      apps: apps.length,
      tenantsWithDrift: tenants.filter((t) => t.drift.missing.length + t.drift.stale.length > 0).length,
    },
    tenants,
  };
}

/** The fleet view with each drifting tenant's merge script beside it: what `fleet --json` prints and /api/fleet answers. */
export function fleetReport(entries: FleetEntry[], at: number) {
  const view = fleetView(entries, at);
  return {
    ...view,
    tenants: view.tenants.map((t) => ({ ...t, mergeScript: allowListMergeScript(t, view.at) })),
  };
}

export type FleetReport = ReturnType<typeof fleetReport>;
