// N synthetic tenants for benchmarks: mostly healthy, the rest cycling through failures that are cheap to simulate.
import type { ScenarioInput } from './scenario';
import { stableGuid } from './world';

type TenantInput = ScenarioInput['tenants'][number];

export interface SyntheticOptions {
  /** Share of tenants that fail, 0..1 (default 0.2). */
  failingShare?: number;
  /** Canary mailboxes per tenant (default 2). */
  canaries?: number;
  /** Where the clock starts (default: the real clock). */
  clockStart?: string;
}

const SOURCES = [
  'https://learn.microsoft.com/exchange/client-developer/exchange-web-services/how-to-authenticate-an-ews-application-by-using-oauth',
];

/** Each failure is a small change to a healthy tenant, so generating thousands stays cheap (no certificates). */
const FAILURES: { cause: TenantInput['expectedCause']; detail: string; apply: (t: TenantInput) => void }[] = [
  {
    cause: 'ews_disabled',
    detail: 'app_not_in_ews_allowed_app_ids',
    apply: (t) => {
      t.exchange = { ewsEnabled: true, ewsAllowedAppIds: [stableGuid(t.tenantId, 'other app')] };
    },
  },
  {
    cause: 'mailbox_out_of_scope',
    detail: 'outside_application_access_policy',
    apply: (t) => {
      t.applicationAccessPolicies = [{ appId: t.probe.clientId, accessRight: 'RestrictAccess', scope: [] }];
    },
  },
  {
    cause: 'throttled',
    detail: 'budget_spent',
    apply: (t) => {
      t.throttling = { ews: { requestsPerMinute: 0 }, graph: { requestsPerMinute: 0 } };
    },
  },
  {
    cause: 'mailbox_not_found',
    detail: 'no_such_mailbox',
    apply: (t) => {
      t.mailboxes = [];
    },
  },
  {
    cause: 'invalid_client_credentials',
    detail: 'client_secret_expired',
    apply: (t) => {
      t.apps[0]!.secrets = [{ value: `expired-${t.tenantId}`, expires: '-1d' }];
    },
  },
];

export function syntheticScenario(count: number, options: SyntheticOptions = {}): ScenarioInput {
  const failingShare = options.failingShare ?? 0.2;
  const canaryCount = options.canaries ?? 2;
  const failEvery = failingShare > 0 ? Math.max(1, Math.round(1 / failingShare)) : Infinity;
  const tenants = Array.from({ length: count }, (_, i): TenantInput => {
    const key = `synthetic${String(i).padStart(5, '0')}`;
    const domain = `${key}.onmicrosoft.com`;
    const tenantId = stableGuid('synthetic tenant', String(i));
    const clientId = stableGuid('synthetic app', String(i));
    const canaries = Array.from({ length: canaryCount }, (_, c) => `canary${c}@${domain}`);
    const tenant: TenantInput = {
      tenantId,
      domain,
      name: `Synthetic ${i}`,
      expectedCause: 'healthy',
      sources: SOURCES,
      exchange: { ewsEnabled: true, ewsAllowedAppIds: [clientId] },
      apps: [
        {
          clientId,
          displayName: `Synthetic ${i} Archiver`,
          applicationPermissions: {
            exchange: ['full_access_as_app', 'Exchange.ManageAsApp'],
            graph: ['Mail.Read', 'Organization.Read.All'],
          },
          adminRoles: ['Global Reader'],
          secrets: [{ value: `synthetic-secret-${clientId}`, expires: '+365d' }],
        },
      ],
      mailboxes: canaries.map((address) => ({ address })),
      probe: { clientId, canaries },
    };
    if ((i + 1) % failEvery === 0) {
      const failure = FAILURES[Math.floor(i / failEvery) % FAILURES.length]!;
      failure.apply(tenant);
      tenant.expectedCause = failure.cause;
      tenant.detail = failure.detail;
    }
    return tenant;
  });
  return { ...(options.clockStart ? { clock: { start: options.clockStart } } : {}), tenants };
}
