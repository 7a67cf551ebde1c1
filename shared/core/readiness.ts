// EWS retirement readiness: a pure score over one tenant's evidence at a date, every point explained (docs/readiness.md).
import type { Finding } from '../diagnosis/engine';
import { EWS_ENFORCEMENT_START, EWS_SHUTDOWN, daysToShutdown } from './ews-timeline';
import type { ControlPlaneFacts, EwsInventory } from '../probes/facts';
import type { ProbeResult } from '../probes/probe-kit';

/** What the score reads: a tenant result without its readiness. */
export interface ReadinessInput {
  app: { clientId: string; ews: 'oauth' | 'basic' | 'off'; graph: boolean };
  probes: ProbeResult[];
  findings: Finding[];
  permissions: { check: string; granted: string[]; worked: boolean | null }[];
  controlPlane?: ControlPlaneFacts;
  ewsInventory?: EwsInventory;
  credential?: { type: string };
}

export type ComponentId = 'A' | 'B' | 'C' | 'D' | 'E';
export type ReadinessBand = 'ready' | 'on track' | 'at risk' | 'critical' | 'unknown';
export type UrgencyBand = 'planning' | 'active bridge' | 'final quarter' | 'cut-over' | 'post-shutdown';

/** One line of the explanation: the points taken, the rule, and the object (app id, mailbox, setting) it names. */
export interface Deduction {
  component: ComponentId;
  points: number;
  rule: string;
  object: string;
  reason: string;
}

export interface ComponentScore {
  id: ComponentId;
  name: string;
  weight: number;
  points: number | null;
  unavailable?: string;
}

export interface Readiness {
  score: number | null;
  band: ReadinessBand;
  confidence: 'high' | 'medium' | 'low';
  daysToShutdown: number;
  /** The date the score was worked out for. */
  at: string;
  urgency: { band: UrgencyBand; factor: number };
  /** (100 − score) × urgency factor, for sorting tenants; a tenant without a score sorts as if it scored 0. */
  priority: number;
  components: ComponentScore[];
  deductions: Deduction[];
  caps: { limit: number; rule: string; reason: string }[];
  /** Evidence that could not be collected: it lowers confidence and is never turned into points. */
  unavailable: string[];
  /** What the score never looks at, so that nobody reads more into it. */
  notAssessed: string[];
  /** Apps still calling EWS (app ids), when known. */
  ewsApps: string[] | null;
  burnDown: { remainingApps: number; weeksToTarget: number; requiredPerWeek: number | null } | null;
  /** Why there is no score. */
  reason?: string;
}

const DAY = 86_400_000;
/** The burn-down target: a 30-day buffer before the shutdown (docs/readiness.md, burn-down). */
export const BURN_DOWN_TARGET = Date.parse('2027-03-01T00:00:00Z');
/** An app Message Center lists counts as still calling EWS when its last activity is this recent. */
export const ACTIVE_DAYS = 30;

export const READINESS_BANDS: { band: ReadinessBand; min: number }[] = [
  { band: 'ready', min: 90 },
  { band: 'on track', min: 70 },
  { band: 'at risk', min: 40 },
  { band: 'critical', min: 0 },
];

export const URGENCY_BANDS: { band: UrgencyBand; minDays: number; factor: number }[] = [
  { band: 'planning', minDays: 181, factor: 1 },
  { band: 'active bridge', minDays: 91, factor: 1.5 },
  { band: 'final quarter', minDays: 31, factor: 2 },
  { band: 'cut-over', minDays: 1, factor: 3 },
  { band: 'post-shutdown', minDays: -Infinity, factor: 4 },
];

export const urgencyOf = (days: number) =>
  URGENCY_BANDS.find((u) => days >= u.minDays) ?? URGENCY_BANDS[URGENCY_BANDS.length - 1]!;
export const bandOf = (score: number | null): ReadinessBand =>
  score === null ? 'unknown' : (READINESS_BANDS.find((b) => score >= b.min)?.band ?? 'critical');

interface Judged {
  points: number | null;
  unavailable?: string;
  deductions: Deduction[];
}

/** Facts every component reads, worked out once. */
interface Context {
  input: ReadinessInput;
  at: number;
  enforced: boolean;
  shutDown: boolean;
  appId: string;
  /** Apps still calling EWS; null when that cannot be known. */
  ewsApps: string[] | null;
  /** Every app seen calling EWS at some point, with its weight (log of its call volume). */
  baseline: { appId: string; weight: number; active: boolean; calls: number | null }[];
}

const short = (appId: string) => `app ${appId}`;

function usageContext(input: ReadinessInput, at: number): Pick<Context, 'ewsApps' | 'baseline'> {
  const appId = input.app.clientId.toLowerCase();
  const ownUsesEws = input.app.ews !== 'off';
  const usage = input.ewsInventory?.usage;
  const weight = (calls: number | null) => Math.max(1, Math.log10((calls ?? 0) + 1));
  if (!usage || 'unavailable' in usage) {
    // Without Message Center only this app is known; if it still calls EWS that alone decides component A.
    return ownUsesEws
      ? { ewsApps: [appId], baseline: [{ appId, weight: 1, active: true, calls: null }] }
      : { ewsApps: null, baseline: [] };
  }
  const baseline = usage.apps.map((u) => ({
    appId: u.appId,
    calls: u.calls,
    weight: weight(u.calls),
    active: u.lastActivity === null || at - Date.parse(u.lastActivity) <= ACTIVE_DAYS * DAY,
  }));
  const own = baseline.find((b) => b.appId === appId);
  if (own) own.active ||= ownUsesEws;
  else if (ownUsesEws) baseline.push({ appId, weight: 1, active: true, calls: null });
  return { ewsApps: baseline.filter((b) => b.active).map((b) => b.appId), baseline };
}

interface Component {
  id: ComponentId;
  name: string;
  weight: (c: Context) => number;
  judge: (c: Context) => Judged;
}

/** The components of docs/readiness.md, adapted to what the probes collect; rows are data. */
export const COMPONENTS: Component[] = [
  {
    id: 'A',
    name: 'Live EWS dependency',
    weight: (c) => (c.shutDown ? 50 : 35),
    judge: (c) => {
      const weight = c.shutDown ? 50 : 35;
      if (c.ewsApps === null) {
        const usage = c.input.ewsInventory?.usage;
        return {
          points: null,
          deductions: [],
          unavailable:
            usage && 'unavailable' in usage
              ? usage.unavailable
              : 'Message Center posts not read: the check did not get that far',
        };
      }
      const total = c.baseline.reduce((sum, b) => sum + b.weight, 0);
      const deductions = c.baseline
        .filter((b) => b.active)
        .map((b): Deduction => ({
          component: 'A',
          points: -round1((weight * b.weight) / total),
          rule: 'ews-app-active',
          object: short(b.appId),
          reason: `${short(b.appId)} ${b.appId === c.appId && c.input.app.ews !== 'off' ? 'is set up to call EWS' : 'was seen calling EWS'}${b.calls !== null ? ` (${b.calls.toLocaleString('en-US')} calls in Message Center's report)` : ''}; it breaks on 2027-04-01 unless moved to Graph`,
        }));
      return { points: total === 0 ? weight : clamp(weight + sum(deductions), 0, weight), deductions };
    },
  },
  {
    id: 'B',
    name: 'Graph replacement proven',
    weight: () => 25,
    judge: (c) => {
      if (!c.input.app.graph)
        return {
          points: null,
          deductions: [],
          unavailable: 'Graph not probed: the Graph checks are turned off for this tenant',
        };
      const inbox = c.input.probes.filter((p) => p.name === 'graph.inbox');
      const ran = inbox.filter((p) => !p.skipped);
      if (ran.length === 0)
        return {
          points: null,
          deductions: [],
          unavailable: `Graph not probed: ${inbox[0]?.skipped ?? 'no Graph token'}`,
        };
      // Without a mail role in the Graph token (and no inbox read anyway, as RBAC for Applications could allow), nothing replaces EWS.
      const mailRoles = c.input.permissions.find((p) => p.check === 'graph.mailbox')?.granted ?? [];
      if (!ran.some((p) => p.ok) && mailRoles.length === 0) {
        return {
          points: 0,
          deductions: [
            {
              component: 'B',
              points: -25,
              rule: 'graph-mail-permission-missing',
              object: short(c.appId),
              reason: `${short(c.appId)} holds no Graph mail application permission (Mail.Read or similar), so nothing replaces EWS yet`,
            },
          ],
        };
      }
      // A mailbox answer of 403/404 says something about the app's access; 401, throttling, 5xx or no answer does not.
      const judged = ran.filter((p) => p.ok || p.status === 403 || p.status === 404);
      if (judged.length === 0)
        return {
          points: null,
          deductions: [],
          unavailable: `Graph probe inconclusive (${ran.map((p) => p.status ?? 'no answer').join(', ')})`,
        };
      const deductions = judged
        .filter((p) => !p.ok)
        .map((p): Deduction => ({
          component: 'B',
          points: -round1(25 / judged.length),
          rule: 'graph-mailbox-probe-failed',
          object: p.mailbox ?? 'mailbox',
          reason: `Graph could not read ${p.mailbox ?? 'the mailbox'}'s inbox (${p.status ?? 'no answer'}), so Graph is not proven for it`,
        }));
      return { points: clamp(25 + sum(deductions), 0, 25), deductions };
    },
  },
  {
    id: 'C',
    name: 'Bridge control plane',
    weight: (c) => (c.shutDown ? 0 : 15),
    judge: (c) => {
      const plane = c.input.controlPlane;
      if (!plane || plane.organizationEwsEnabled === undefined) {
        const token = c.input.probes.find((p) => p.name === 'token.exchange');
        const granted = c.input.permissions.find((p) => p.check === 'controlPlane')?.granted.length;
        const why = !token
          ? 'no Exchange token was asked for'
          : !token.ok
            ? 'no Exchange token'
            : !granted
              ? 'the app lacks Exchange.ManageAsApp (with the Global Reader role)'
              : 'the admin API did not answer';
        return {
          points: null,
          deductions: [],
          unavailable: `Exchange control plane not read (EwsEnabled, EwsAllowedAppIDs): ${why}`,
        };
      }
      if (c.ewsApps === null && plane.organizationEwsEnabled !== false)
        return {
          points: null,
          deductions: [],
          unavailable: 'control plane not judged: which apps still need EWS is unknown',
        };
      const needed = c.ewsApps ?? [];
      const deductions: Deduction[] = [];
      const take = (points: number, rule: string, object: string, reason: string) =>
        deductions.push({ component: 'C', points: -points, rule, object, reason });
      const list = plane.ewsAllowedAppIds?.map((a) => a.toLowerCase()) ?? null;
      if (needed.length === 0) {
        if (plane.organizationEwsEnabled !== false)
          take(
            5,
            'ews-enabled-unneeded',
            'EwsEnabled (organization)',
            `no app needs EWS any more, yet EwsEnabled is ${String(plane.organizationEwsEnabled)}: set it to False to finish`,
          );
      } else if (plane.organizationEwsEnabled === false) {
        take(
          15,
          'ews-disabled-while-needed',
          'EwsEnabled (organization)',
          `EwsEnabled is False for the organization while ${needed.map(short).join(', ')} still call EWS`,
        );
      } else if (plane.organizationEwsEnabled !== true) {
        take(
          5,
          'ews-enabled-unset',
          'EwsEnabled (organization)',
          "EwsEnabled is not set: Microsoft's rollout sets it to False, which blocks every app still calling EWS",
        );
      } else if (!list?.length) {
        take(
          c.enforced ? 15 : 5,
          'allow-list-empty',
          'EwsAllowedAppIDs',
          c.enforced
            ? 'EwsEnabled is True with an empty EwsAllowedAppIDs: all EWS is blocked'
            : 'EwsAllowedAppIDs is empty: from 2026-10-01 that blocks all EWS',
        );
      } else {
        for (const app of needed.filter((a) => !list.includes(a)))
          take(
            5,
            'app-missing-from-allow-list',
            short(app),
            `${short(app)} still calls EWS but is not in EwsAllowedAppIDs`,
          );
      }
      if (list && c.ewsApps !== null)
        for (const app of list.filter((a) => !needed.includes(a)))
          take(
            2,
            'allow-list-extra-app',
            short(app),
            `EwsAllowedAppIDs lists ${short(app)}, which is not seen calling EWS: remove it`,
          );
      if (c.input.app.ews !== 'off') {
        for (const [mailbox, enabled] of Object.entries(plane.mailboxEwsEnabled)) {
          if (enabled === false)
            take(
              5,
              'mailbox-ews-disabled-while-needed',
              mailbox,
              `EwsEnabled is False for ${mailbox}, which ${short(c.appId)} still reads through EWS`,
            );
        }
      }
      return { points: clamp(15 + sum(deductions), 0, 15), deductions };
    },
  },
  {
    id: 'D',
    name: 'Least privilege',
    weight: () => 15,
    judge: (c) => {
      if (!c.input.credential)
        return {
          points: null,
          deductions: [],
          unavailable: 'least privilege not judged: the app credential could not be read',
        };
      const deductions: Deduction[] = [];
      const grants = c.input.ewsInventory?.grants;
      const holders = grants && 'holders' in grants ? grants.holders : null;
      const ownFullAccess =
        c.input.permissions.find((p) => p.check === 'ews')?.granted.includes('full_access_as_app') ?? false;
      const dormant = (appId: string | null) => c.ewsApps !== null && appId !== null && !c.ewsApps.includes(appId);
      const judgedHolders = holders ?? (ownFullAccess ? [{ appId: c.appId, displayName: short(c.appId) }] : []);
      for (const holder of judgedHolders) {
        if (dormant(holder.appId)) {
          deductions.push({
            component: 'D',
            points: -3,
            rule: 'dormant-full-access-grant',
            object: short(holder.appId ?? ''),
            reason: `${holder.displayName} (${short(holder.appId ?? '')}) holds full_access_as_app (every mailbox, through EWS) but does not call EWS: remove the grant`,
          });
        }
      }
      if (c.input.credential?.type === 'secret') {
        deductions.push({
          component: 'D',
          points: -3,
          rule: 'client-secret',
          object: short(c.appId),
          reason: `${short(c.appId)} signs in with a client secret; a certificate or a federated credential cannot leak the same way`,
        });
      }
      if (c.input.findings.some((f) => f.detail === 'outside_application_access_policy')) {
        deductions.push({
          component: 'D',
          points: -1,
          rule: 'application-access-policy',
          object: 'Application Access Policy',
          reason: 'an Application Access Policy scopes the app; Microsoft asks for RBAC for Applications instead',
        });
      }
      return { points: clamp(15 + sum(deductions), 0, 15), deductions };
    },
  },
  {
    id: 'E',
    name: 'Collateral dependencies',
    weight: () => 10,
    judge: (c) => {
      const frontline = c.input.findings.some((f) => f.detail === 'frontline_license');
      if (!frontline) return { points: 10, deductions: [] };
      const mailboxes = c.input.probes
        .filter((p) => p.name === 'ews.getFolder' && p.status === 403)
        .map((p) => p.mailbox ?? 'a mailbox');
      return {
        points: 7,
        deductions: [
          {
            component: 'E',
            points: -3,
            rule: 'frontline-licence-target',
            object: mailboxes.join(', '),
            reason: `${mailboxes.join(', ')} lost EWS with its Kiosk/F1/F3 licence while ${short(c.appId)} still reads it`,
          },
        ],
      };
    },
  },
];

const NOT_ASSESSED = [
  'SOAP operations the apps use (whether each has a Graph equivalent); the 40-point cap for capabilities Graph will not get is never applied',
  'cross-tenant free/busy and sharing (organization relationships, availability address spaces, sharing policies)',
  'hybrid on-premises Exchange servers',
];

const sum = (deductions: Deduction[]) => deductions.reduce((total, d) => total + d.points, 0);
const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, round1(value)));
const round1 = (value: number) => Math.round(value * 10) / 10;

/** The readiness of one tenant at a date: a pure function of its evidence. */
export function assessReadiness(input: ReadinessInput, atMs: number): Readiness {
  const context: Context = {
    input,
    at: atMs,
    enforced: atMs >= EWS_ENFORCEMENT_START,
    shutDown: atMs >= EWS_SHUTDOWN,
    appId: input.app.clientId.toLowerCase(),
    ...usageContext(input, atMs),
  };
  const judged = COMPONENTS.map((component) => ({
    component,
    weight: component.weight(context),
    ...component.judge(context),
  })).filter((j) => j.weight > 0);
  const components: ComponentScore[] = judged.map((j) => ({
    id: j.component.id,
    name: j.component.name,
    weight: j.weight,
    points: j.points,
    ...(j.unavailable ? { unavailable: j.unavailable } : {}),
  }));
  const unavailable = judged.flatMap((j) => (j.unavailable ? [j.unavailable] : []));
  for (const part of [input.ewsInventory?.grants])
    if (part && 'unavailable' in part) unavailable.push(part.unavailable);
  const deductions = judged.flatMap((j) => j.deductions);
  const days = daysToShutdown(atMs);
  const urgency = urgencyOf(days);
  const missingCore = judged.filter((j) => j.points === null && (j.component.id === 'A' || j.component.id === 'B'));
  const measured = judged.filter((j) => j.points !== null);

  const caps: Readiness['caps'] = [];
  const blockRules = new Set(['ews-disabled-while-needed', 'allow-list-empty', 'app-missing-from-allow-list']);
  const blocked = deductions.filter(
    (d) => blockRules.has(d.rule) && (d.rule !== 'allow-list-empty' || context.enforced),
  );
  if (context.enforced && !context.shutDown && blocked.length > 0) {
    caps.push({
      limit: 50,
      rule: 'ews-blocked-for-needed-app',
      reason: `under enforcement, EWS is blocked for apps that still need it (${blocked.map((d) => d.object).join('; ')}): their EWS calls fail today`,
    });
  }

  if (context.shutDown && (context.ewsApps?.length ?? 0) > 0) {
    caps.push({
      limit: 30,
      rule: 'ews-gone-while-needed',
      reason: `EWS in Exchange Online is switched off, and ${context.ewsApps!.map(short).join(', ')} still depend on it: those workloads are broken`,
    });
  }

  let score: number | null = null;
  let reason: string | undefined;
  if (missingCore.length > 0 || measured.length < judged.length - 1) {
    reason = `not enough evidence: ${judged
      .filter((j) => j.points === null)
      .map((j) => `${j.component.id} (${j.unavailable ?? 'unavailable'})`)
      .join('; ')}`;
  } else {
    const weight = measured.reduce((total, j) => total + j.weight, 0);
    // A component that could not be judged is left out and the rest scaled to 100, never counted as won or lost.
    const raw = (measured.reduce((total, j) => total + (j.points ?? 0), 0) * 100) / weight;
    score = Math.round(Math.min(raw, ...caps.map((c) => c.limit)));
  }
  const fullCoverage = measured.length === judged.length && !!input.ewsInventory && 'apps' in input.ewsInventory.usage;
  const weeksToTarget = round1((BURN_DOWN_TARGET - atMs) / (7 * DAY));
  const remaining = context.ewsApps?.length ?? null;
  return {
    score,
    band: bandOf(score),
    confidence: score === null ? 'low' : fullCoverage ? 'high' : 'medium',
    daysToShutdown: days,
    at: new Date(atMs).toISOString(),
    urgency: { band: urgency.band, factor: urgency.factor },
    priority: Math.round((100 - (score ?? 0)) * urgency.factor),
    components,
    deductions,
    caps,
    unavailable,
    notAssessed: NOT_ASSESSED,
    ewsApps: context.ewsApps,
    burnDown:
      remaining === null
        ? null
        : {
            remainingApps: remaining,
            weeksToTarget,
            requiredPerWeek: weeksToTarget > 0 ? Math.round((remaining / weeksToTarget) * 100) / 100 : null,
          },
    ...(reason ? { reason } : {}),
  };
}
