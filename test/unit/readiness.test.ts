// The readiness score as a pure function: golden scores at dates across the EWS timeline, explanations, and honesty
// about evidence that is missing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEwsUsagePosts } from '../../shared/probes/ews-inventory';
import { assessReadiness, type ReadinessInput } from '../../shared/core/readiness';
import { READINESS_FIXES } from '../../shared/core/readiness-fixes';
import type { ProbeName } from '../../shared/probes/probe-kit';

const OWN = '4c57dc1b-fff4-4ee3-8104-08c997f1289b';
const OTHER = 'c2d4e6f8-1a3b-4c5d-9e7f-8a9b0c1d2e3f';
const SPARE = '90c195c2-b4cf-469c-862b-20a66197c911';
const ok = (name: ProbeName, mailbox?: string) => ({
  name,
  ok: true,
  status: 200,
  ms: 10,
  ...(mailbox ? { mailbox } : {}),
});
const failed = (name: ProbeName, status: number | null, mailbox?: string) => ({
  name,
  ok: false,
  status,
  ms: 10,
  ...(mailbox ? { mailbox } : {}),
});

/** An app that still reads mail through EWS, with Graph proven beside it, allow-listed (Contoso in the catalogue). */
const stillOnEws = (): ReadinessInput => ({
  app: { clientId: OWN, ews: 'oauth', graph: true },
  probes: [
    ok('token.exchange'),
    ok('token.graph'),
    ok('ews.getFolder', 'a@contoso.com'),
    ok('graph.inbox', 'a@contoso.com'),
    ok('ews.getFolder', 'b@contoso.com'),
    ok('graph.inbox', 'b@contoso.com'),
  ],
  findings: [],
  permissions: [
    { check: 'ews', granted: ['full_access_as_app'], worked: true },
    { check: 'graph.mailbox', granted: ['Mail.Read'], worked: true },
    { check: 'controlPlane', granted: ['Exchange.ManageAsApp'], worked: true },
  ],
  controlPlane: {
    organizationEwsEnabled: true,
    ewsAllowedAppIds: [OWN, SPARE],
    appInAllowList: true,
    mailboxEwsEnabled: {},
  },
  ewsInventory: {
    usage: { apps: [{ appId: OWN, calls: 4210, lastActivity: '2026-11-20' }], posts: ['MC1176001'] },
    grants: { holders: [{ appId: OWN, displayName: 'Contoso Mail Archiver' }] },
  },
  credential: { type: 'secret' },
});

/** Our app moved to Graph and holds a dormant grant; a CRM connector still calls EWS (Fincher Architects). */
const midMigration = (): ReadinessInput => ({
  ...stillOnEws(),
  app: { clientId: OWN, ews: 'off', graph: true },
  probes: [
    ok('token.exchange'),
    ok('token.graph'),
    ok('graph.inbox', 'a@contoso.com'),
    ok('graph.inbox', 'b@contoso.com'),
  ],
  controlPlane: {
    organizationEwsEnabled: true,
    ewsAllowedAppIds: [OTHER],
    appInAllowList: false,
    mailboxEwsEnabled: {},
  },
  ewsInventory: {
    usage: {
      apps: [
        { appId: OWN, calls: 4210, lastActivity: '2026-10-12' },
        { appId: OTHER, calls: 900, lastActivity: '2026-11-18' },
      ],
      posts: ['MC1176002'],
    },
    grants: {
      holders: [
        { appId: OWN, displayName: 'Fincher Mail Archiver' },
        { appId: OTHER, displayName: 'Fincher CRM Connector' },
      ],
    },
  },
});

/** Off EWS: nothing calls it, EwsEnabled is False, no full_access_as_app, a certificate (Southridge Video). */
const offEws = (): ReadinessInput => ({
  ...midMigration(),
  permissions: [
    { check: 'ews', granted: [], worked: null },
    { check: 'graph.mailbox', granted: ['Mail.Read'], worked: true },
    { check: 'controlPlane', granted: ['Exchange.ManageAsApp'], worked: true },
  ],
  controlPlane: { organizationEwsEnabled: false, ewsAllowedAppIds: null, appInAllowList: null, mailboxEwsEnabled: {} },
  ewsInventory: {
    usage: { apps: [{ appId: OWN, calls: 3900, lastActivity: '2026-09-07' }], posts: ['MC1176003'] },
    grants: { holders: [] },
  },
  credential: { type: 'certificate' },
});

/** Still on EWS, but the allow list names another app only (Proseware). */
const blockedByAllowList = (): ReadinessInput => ({
  ...stillOnEws(),
  controlPlane: {
    organizationEwsEnabled: true,
    ewsAllowedAppIds: [SPARE],
    appInAllowList: false,
    mailboxEwsEnabled: {},
  },
});

const BEFORE = '2026-09-15T09:00:00Z';
const NOW = '2026-11-21T09:00:00Z';
const LAST_30_DAYS = '2027-03-15T09:00:00Z';
const AFTER = '2027-04-15T09:00:00Z';

const FIXTURES: Record<string, () => ReadinessInput> = {
  'still on EWS': stillOnEws,
  'mid-migration': midMigration,
  'off EWS': offEws,
  'blocked by the allow list': blockedByAllowList,
};

test.each<[string, string, number, string, number, string, number]>([
  // evidence, date, score, band, days to shutdown, urgency, priority
  ['still on EWS', BEFORE, 60, 'at risk', 198, 'planning', 40],
  ['still on EWS', NOW, 60, 'at risk', 131, 'active bridge', 60],
  ['still on EWS', LAST_30_DAYS, 60, 'at risk', 17, 'cut-over', 120],
  ['still on EWS', AFTER, 30, 'critical', -14, 'post-shutdown', 280],
  ['mid-migration', BEFORE, 57, 'at risk', 198, 'planning', 43],
  ['mid-migration', NOW, 78, 'on track', 131, 'active bridge', 33],
  ['mid-migration', LAST_30_DAYS, 84, 'on track', 17, 'cut-over', 48],
  ['mid-migration', AFTER, 91, 'ready', -14, 'post-shutdown', 36],
  // Message Center saw the app on 2026-09-07, so on 2026-09-15 it still counts as calling EWS, with EWS already off.
  ['off EWS', BEFORE, 50, 'at risk', 198, 'planning', 50],
  ['off EWS', NOW, 100, 'ready', 131, 'active bridge', 0],
  ['off EWS', LAST_30_DAYS, 100, 'ready', 17, 'cut-over', 0],
  ['off EWS', AFTER, 100, 'ready', -14, 'post-shutdown', 0],
  ['blocked by the allow list', BEFORE, 55, 'at risk', 198, 'planning', 45],
  ['blocked by the allow list', NOW, 50, 'at risk', 131, 'active bridge', 75],
  ['blocked by the allow list', LAST_30_DAYS, 50, 'at risk', 17, 'cut-over', 150],
  ['blocked by the allow list', AFTER, 30, 'critical', -14, 'post-shutdown', 280],
])('%s at %s: %i (%s), %i days, %s, priority %i', (name, at, score, band, days, urgency, priority) => {
  const readiness = assessReadiness(FIXTURES[name]!(), Date.parse(at));
  expect(readiness).toEqual(
    expect.objectContaining({
      score,
      band,
      daysToShutdown: days,
      urgency: expect.objectContaining({ band: urgency }),
      priority,
      confidence: 'high',
    }),
  );
  expect(readiness.at).toBe(new Date(at).toISOString());
});

test('every point lost is a line naming the object and the rule, and the lines add up to the score', () => {
  const readiness = assessReadiness(stillOnEws(), Date.parse(NOW));
  expect(readiness.deductions).toEqual([
    {
      component: 'A',
      points: -35,
      rule: 'ews-app-active',
      object: `app ${OWN}`,
      reason: expect.stringMatching(
        /is set up to call EWS \(4,210 calls in Message Center's report\); it breaks on 2027-04-01/,
      ),
    },
    {
      component: 'C',
      points: -2,
      rule: 'allow-list-extra-app',
      object: `app ${SPARE}`,
      reason: expect.stringMatching(/EwsAllowedAppIDs lists app 90c195c2.*not seen calling EWS/),
    },
    {
      component: 'D',
      points: -3,
      rule: 'client-secret',
      object: `app ${OWN}`,
      reason: expect.stringMatching(/client secret/),
    },
  ]);
  expect(100 + readiness.deductions.reduce((sum, d) => sum + d.points, 0)).toBe(readiness.score);
  expect(readiness.burnDown).toEqual({ remainingApps: 1, weeksToTarget: 14.2, requiredPerWeek: 0.07 });
  expect(readiness.ewsApps).toEqual([OWN]);
});

test('the cap under enforcement is a banner with its reason, and the points behind it stay visible', () => {
  const readiness = assessReadiness(blockedByAllowList(), Date.parse(NOW));
  expect(readiness.caps).toEqual([
    { limit: 50, rule: 'ews-blocked-for-needed-app', reason: expect.stringContaining(`app ${OWN}`) },
  ]);
  expect(readiness.deductions.map((d) => d.rule)).toEqual([
    'ews-app-active',
    'app-missing-from-allow-list',
    'allow-list-extra-app',
    'client-secret',
  ]);
  expect(readiness.components.find((c) => c.id === 'C')?.points).toBe(8);
});

test('after the shutdown the control plane no longer counts and its weight goes to the EWS dependency', () => {
  const readiness = assessReadiness(midMigration(), Date.parse(AFTER));
  expect(readiness.components.map((c) => [c.id, c.weight])).toEqual([
    ['A', 50],
    ['B', 25],
    ['D', 15],
    ['E', 10],
  ]);
});

test('missing Message Center evidence for an app off EWS gives no score, low confidence and the reason, never invented points', () => {
  const input = {
    ...offEws(),
    ewsInventory: {
      usage: {
        unavailable:
          'Message Center posts not read: the app lacks the Graph application permission ServiceMessage.Read.All',
      },
      grants: {
        unavailable:
          'full_access_as_app grants not read: the app lacks the Graph application permission Application.Read.All',
      },
    },
  } satisfies ReadinessInput;
  const readiness = assessReadiness(input, Date.parse(NOW));
  expect(readiness).toEqual(
    expect.objectContaining({ score: null, band: 'unknown', confidence: 'low', priority: 150 }),
  );
  expect(readiness.reason).toMatch(
    /^not enough evidence: A \(Message Center posts not read: the app lacks the Graph application permission ServiceMessage\.Read\.All\)/,
  );
  expect(readiness.unavailable).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/ServiceMessage\.Read\.All/),
      expect.stringMatching(/Application\.Read\.All/),
    ]),
  );
});

test('a control plane that cannot be read is left out, the rest scaled, and confidence drops to medium', () => {
  const input: ReadinessInput = {
    ...stillOnEws(),
    permissions: stillOnEws().permissions.filter((p) => p.check !== 'controlPlane'),
  };
  delete input.controlPlane;
  const readiness = assessReadiness(input, Date.parse(NOW));
  expect(readiness).toEqual(
    expect.objectContaining({
      score: 55,
      confidence: 'medium',
      unavailable: [expect.stringMatching(/Exchange control plane not read .*lacks Exchange\.ManageAsApp/)],
    }),
  );
  expect(readiness.components.find((c) => c.id === 'C')).toEqual(
    expect.objectContaining({ points: null, unavailable: expect.any(String) }),
  );
});

test.each<[string, Partial<ReadinessInput>, RegExp]>([
  [
    'no Graph token',
    {
      probes: [
        ok('token.exchange'),
        failed('token.graph', 401),
        { ...failed('graph.inbox', null, 'a@contoso.com'), skipped: 'no Graph token' },
      ],
      permissions: [],
    },
    /B \(Graph not probed: no Graph token\)/,
  ],
  [
    'Graph throttled on every canary',
    {
      probes: [
        ok('token.graph'),
        failed('graph.inbox', 429, 'a@contoso.com'),
        failed('graph.inbox', 429, 'b@contoso.com'),
      ],
    },
    /B \(Graph probe inconclusive \(429, 429\)\)/,
  ],
  [
    'Graph turned off',
    { app: { clientId: OWN, ews: 'oauth', graph: false } },
    /B \(Graph not probed: the Graph checks are turned off/,
  ],
])('%s: no score rather than a guess', (_name, change, reason) => {
  const readiness = assessReadiness({ ...stillOnEws(), ...change }, Date.parse(NOW));
  expect([readiness.score, readiness.confidence]).toEqual([null, 'low']);
  expect(readiness.reason).toMatch(reason);
});

test('Graph failing for one canary of two loses half of component B, naming the mailbox', () => {
  const input = {
    ...stillOnEws(),
    probes: [ok('token.graph'), ok('graph.inbox', 'a@contoso.com'), failed('graph.inbox', 403, 'b@contoso.com')],
  };
  const readiness = assessReadiness(input, Date.parse(NOW));
  expect(readiness.deductions).toContainEqual(
    expect.objectContaining({
      component: 'B',
      points: -12.5,
      rule: 'graph-mailbox-probe-failed',
      object: 'b@contoso.com',
    }),
  );
});

test('Message Center posts are read defensively: only EWS posts, ids with the counts and dates that follow them', () => {
  const posts = [
    {
      id: 'MC1227454',
      title: 'Exchange Online EWS, Your Time is Almost Up',
      body: { content: '<p>EWS will be turned off on April 1, 2027.</p>' },
    },
    {
      id: 'MC1176266',
      title: 'Update active Exchange Web Services Applications',
      body: {
        content: `<ul><li>${OWN.toUpperCase()} (12,345 calls, last activity 2026-11-02)</li><li>${OTHER}: 7 calls</li></ul>`,
      },
    },
    {
      id: 'MC1176300',
      title: 'Update active EWS applications',
      body: { content: `<p>${OWN} (3 calls, last activity 2026-11-19)</p>` },
    },
    { id: 'MC9999999', title: 'Teams meeting recordings', body: { content: `<p>${SPARE}</p>` } },
    { id: 'MC0000001', title: 'Exchange Web Services', body: null },
  ];
  expect(readEwsUsagePosts(posts as never)).toEqual({
    apps: [
      { appId: OWN, calls: 3, lastActivity: '2026-11-19' },
      { appId: OTHER, calls: 7, lastActivity: null },
    ],
    posts: ['MC1176266', 'MC1176300'],
  });
});

test('every rule the score can name, deduction or cap, has a fix step and a docs link, and every fix has its rule', () => {
  const source = readFileSync(join(__dirname, '../../shared/core/readiness.ts'), 'utf8');
  // A rule is named as `rule: '<id>'` or as the second argument of take(); one named any other way escapes this scan,
  // so any other `rule:` value, and a take() whose rule is not a literal, fail the test too.
  const keyed = [...source.matchAll(/\brule: (?!string\b)([^,\n]+)/g)].map((m) => m[1]!.trim());
  const taken = [...source.matchAll(/\btake\(\s*[^,]+,\s*([^,]+),/g)].map((m) => m[1]!.trim());
  const rules = [...keyed, ...taken];
  expect(source.match(/[{,]\s*rule\s*[,}]/g)).toHaveLength(1); // take()'s own { ..., rule, ... }
  expect(rules.filter((r) => !/^'[a-z]+(-[a-z]+)*'$/.test(r))).toEqual([]);
  const ids = new Set(rules.map((r) => r.slice(1, -1)));
  expect(ids.size).toBeGreaterThanOrEqual(16);
  expect([...ids].filter((id) => !READINESS_FIXES[id])).toEqual([]);
  expect(Object.keys(READINESS_FIXES).filter((id) => !ids.has(id))).toEqual([]);
  for (const fix of Object.values(READINESS_FIXES)) {
    expect(fix.step.length).toBeGreaterThan(40);
    expect(fix.docs.url).toMatch(/^https:\/\/(learn\.microsoft\.com|techcommunity\.microsoft\.com)\//);
  }
});
