// The observed EWS burn-down: one point a week (apps still calling EWS, their calls) from the checks as they come, and the pace they show beside the pace required.
import { BURN_DOWN_TARGET, type Readiness } from './readiness';

/** A week's last check: the Monday (UTC) the week starts on, when it was checked, and what it counted. */
export interface BurnDownPoint {
  week: string;
  at: string;
  apps: number;
  /** Calls in Message Center's report by the apps still calling; null when the report was not read. */
  calls: number | null;
}

export interface ObservedBurnDown {
  points: BurnDownPoint[];
  remainingApps: number | null;
  /** Apps moved off EWS per week, first point to last; negative when more apps call than before; null with under two weeks. */
  observedPerWeek: number | null;
  requiredPerWeek: number | null;
  /** When the observed pace reaches no apps, and whether that is before the target (2027-03-01). */
  projectedDoneAt: string | null;
  onPace: boolean | null;
}

/** Weeks kept: enough to see a pace over the months left, small enough for one column of a status row. */
export const BURN_DOWN_WEEKS = 26;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

export function weekOf(at: string): string {
  const day = new Date(at.slice(0, 10) + 'T00:00:00Z');
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY).toISOString().slice(0, 10);
}

/** This check's point: what its readiness counted as still calling, and their calls when Message Center said. */
export function burnDownPointOf(result: {
  checkedAt: string;
  readiness: Pick<Readiness, 'ewsApps'>;
  ewsInventory?: { usage: { apps: { appId: string; calls: number | null }[] } | { unavailable: string } };
}): BurnDownPoint | null {
  const apps = result.readiness.ewsApps;
  if (apps === null) return null;
  const usage = result.ewsInventory?.usage;
  const calls =
    usage && 'apps' in usage
      ? usage.apps.filter((u) => apps.includes(u.appId.toLowerCase())).reduce((n, u) => n + (u.calls ?? 0), 0)
      : null;
  return { week: weekOf(result.checkedAt), at: result.checkedAt, apps: apps.length, calls };
}

/** The weekly points with this one in: it replaces an earlier check of its week, and the oldest weeks fall away. */
export function withPoint(points: BurnDownPoint[], point: BurnDownPoint | null): BurnDownPoint[] {
  if (!point) return points;
  const earlier = points.find((p) => p.week === point.week);
  if (earlier && earlier.at >= point.at) return points;
  return [...points.filter((p) => p.week !== point.week), point]
    .sort((a, b) => a.week.localeCompare(b.week))
    .slice(-BURN_DOWN_WEEKS);
}

/** Points as stored; anything that is not one is dropped rather than trusted. */
export function readPoints(stored: unknown): BurnDownPoint[] {
  return Array.isArray(stored)
    ? stored.filter(
        (p): p is BurnDownPoint =>
          typeof p === 'object' &&
          p !== null &&
          typeof (p as BurnDownPoint).week === 'string' &&
          typeof (p as BurnDownPoint).at === 'string' &&
          typeof (p as BurnDownPoint).apps === 'number' &&
          ((p as BurnDownPoint).calls === null || typeof (p as BurnDownPoint).calls === 'number'),
      )
    : [];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The pace the points show, next to the pace the readiness score asks for. */
export function observedBurnDown(points: BurnDownPoint[], required: Readiness['burnDown']): ObservedBurnDown {
  const first = points[0];
  const last = points[points.length - 1];
  const weeks = first && last ? (Date.parse(last.at) - Date.parse(first.at)) / WEEK : 0;
  const observed = first && last && points.length >= 2 && weeks > 0 ? round2((first.apps - last.apps) / weeks) : null;
  const remaining = last?.apps ?? required?.remainingApps ?? null;
  const doneAt =
    remaining === 0
      ? Date.parse(last!.at)
      : observed !== null && observed > 0 && remaining !== null
        ? Date.parse(last!.at) + (remaining / observed) * WEEK
        : null;
  return {
    points,
    remainingApps: remaining,
    observedPerWeek: observed,
    requiredPerWeek: required?.requiredPerWeek ?? null,
    projectedDoneAt: doneAt === null ? null : new Date(doneAt).toISOString().slice(0, 10),
    onPace: remaining === 0 ? true : observed === null ? null : doneAt !== null && doneAt <= BURN_DOWN_TARGET,
  };
}
