// The observed burn-down: weekly points from checks as they come, and the pace they show beside the required one.
import { BURN_DOWN_WEEKS, observedBurnDown, weekOf, withPoint, type BurnDownPoint } from '../../shared/core/burn-down';

const point = (at: string, apps: number, calls: number | null = apps * 100): BurnDownPoint => ({
  week: weekOf(at),
  at,
  apps,
  calls,
});
const required = { remainingApps: 2, weeksToTarget: 12.7, requiredPerWeek: 0.16 };

test.each([
  ['2026-11-30T00:00:00Z', '2026-11-30'],
  ['2026-12-06T23:59:59Z', '2026-11-30'],
  ['2026-12-07T00:00:00Z', '2026-12-07'],
  ['2027-01-01T12:00:00Z', '2026-12-28'],
])('%s falls in the week starting %s (Monday, UTC)', (at, week) => expect(weekOf(at)).toBe(week));

test('a later check of the same week replaces its point; an earlier one does not; the oldest weeks fall away', () => {
  const one = withPoint([], point('2026-11-02T10:00:00Z', 3));
  const replaced = withPoint(one, point('2026-11-05T10:00:00Z', 2));
  expect(replaced).toEqual([point('2026-11-05T10:00:00Z', 2)]);
  expect(withPoint(replaced, point('2026-11-03T10:00:00Z', 9))).toEqual(replaced);
  let many: BurnDownPoint[] = [];
  for (let week = 0; week < BURN_DOWN_WEEKS + 4; week++)
    many = withPoint(
      many,
      point(new Date(Date.parse('2026-01-05T10:00:00Z') + week * 7 * 86_400_000).toISOString(), 5),
    );
  expect(many).toHaveLength(BURN_DOWN_WEEKS);
  expect(many[0]!.week).toBe('2026-02-02');
});

test.each([
  ['too few points to tell', [point('2026-11-30T10:00:00Z', 2)], { observedPerWeek: null, onPace: null }],
  [
    'on pace: two apps gone in four weeks, the last two done by mid-January',
    [point('2026-11-02T10:00:00Z', 4), point('2026-11-30T10:00:00Z', 2)],
    { observedPerWeek: 0.5, projectedDoneAt: '2026-12-28', onPace: true },
  ],
  [
    'behind: one app in eight weeks leaves the rest for after the target',
    [point('2026-10-05T10:00:00Z', 3), point('2026-11-30T10:00:00Z', 2)],
    { observedPerWeek: 0.13, onPace: false },
  ],
  [
    'going the wrong way: more apps call than before',
    [point('2026-11-02T10:00:00Z', 1), point('2026-11-30T10:00:00Z', 2)],
    { observedPerWeek: -0.25, projectedDoneAt: null, onPace: false },
  ],
  [
    'done: no app calls any more',
    [point('2026-11-02T10:00:00Z', 1), point('2026-11-30T10:00:00Z', 0)],
    { remainingApps: 0, onPace: true, projectedDoneAt: '2026-11-30' },
  ],
])('%s', (_, points, expected) => {
  expect(observedBurnDown(points, required)).toMatchObject({ requiredPerWeek: 0.16, ...expected });
});
