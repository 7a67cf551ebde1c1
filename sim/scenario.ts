// The declarative description of a simulated Microsoft 365 cloud, validated with messages that name the field.
import { z } from 'zod';
import { CAUSES } from '../shared/core/causes';
import { CLOUD_NAMES, type CloudName } from '../shared/core/clouds';

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected a GUID');
const address = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'expected an SMTP address');
/** An instant: ISO 8601, or relative to the simulated clock's start as "+30d", "-2d", "+6h". */
const instant = z
  .string()
  .regex(
    /^([+-]\d+[dhm]|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?)$/,
    'expected an ISO date or a relative offset like "+30d"',
  );
const triState = z.boolean().nullable();

export const RESOURCE_KINDS = ['exchange', 'graph'] as const;
export const ROUTES = ['login', 'ews', 'graph', 'adminapi', 'keyvault', 'logicapp', 'identity'] as const;
export const LICENSES = [
  'E3',
  'E5',
  'BusinessBasic',
  'BusinessStandard',
  'ExchangeOnlinePlan1',
  'F1',
  'F3',
  'Kiosk',
  'none',
] as const;

const permissionsByResource = z
  .object({ exchange: z.array(z.string()).default([]), graph: z.array(z.string()).default([]) })
  .strict();

const appSchema = z
  .object({
    clientId: guid,
    displayName: z.string().min(1),
    /** false: no service principal in this tenant, so Entra answers AADSTS700016. */
    registered: z.boolean().default(true),
    applicationPermissions: permissionsByResource.default({ exchange: [], graph: [] }),
    delegatedPermissions: permissionsByResource.default({ exchange: [], graph: [] }),
    /** false: permissions are configured but not consented, so app-only tokens carry no roles. */
    adminConsent: z.boolean().default(true),
    secrets: z
      .array(
        z
          .object({ value: z.string().min(8), expires: instant, displayName: z.string().default('client secret') })
          .strict(),
      )
      .default([]),
    /** Certificates are generated when the simulator starts; only their public keys are registered. */
    certificates: z
      .array(z.object({ subject: z.string().min(1), expires: instant, registered: z.boolean().default(true) }).strict())
      .default([]),
    /** Federated identity credentials: managed identities (by object id, in the operator's tenant) that may act as the app. */
    federatedCredentials: z.array(z.object({ subject: guid }).strict()).default([]),
    /** Entra roles or Exchange role groups held by the service principal (for the Exchange admin API). */
    adminRoles: z.array(z.string()).default([]),
  })
  .strict();

const mailboxSchema = z
  .object({
    address,
    displayName: z.string().optional(),
    license: z.enum(LICENSES).default('E3'),
    /** Set-CASMailbox -EwsEnabled; null means not set (allowed). */
    ewsEnabled: triState.default(null),
    state: z.enum(['active', 'soft-deleted', 'inactive', 'on-premises']).default('active'),
    inboxItems: z.number().int().min(0).default(3),
  })
  .strict();

const clientProfileSchema = z
  .object({
    /** false: the app has moved to Graph and no longer calls EWS. */
    ews: z.boolean().default(true),
    /** false: the app sends app-only EWS calls without the ExchangeImpersonation header. */
    impersonation: z.boolean().default(true),
    /** The scope the app asks for when it calls EWS (a wrong resource here gives a token with the wrong audience). */
    ewsScope: z.string().optional(),
    /** basic: the app still sends a username and password to EWS. */
    auth: z.enum(['oauth', 'basic']).default('oauth'),
    userAgent: z.string().optional(),
  })
  .strict();

const tenantSchema = z
  .object({
    tenantId: guid,
    domain: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'expected a domain such as contoso.onmicrosoft.com'),
    name: z.string().min(1),
    cloud: z.enum(CLOUD_NAMES).default('worldwide'),
    /** 'healthy' or the cause id (docs/contracts/diagnosis.md) this tenant is built to show. */
    expectedCause: z.enum(['healthy', ...CAUSES]),
    detail: z.string().optional(),
    /** Where the responses this tenant provokes are documented or publicly shown. */
    sources: z.array(z.string().url()).min(1, 'name at least one source for the responses this tenant provokes'),
    /** false: the tenant does not exist, so Entra answers AADSTS90002. */
    exists: z.boolean().default(true),
    /** First-party resources whose service principals exist in the tenant; a missing one gives AADSTS500011. */
    resources: z.array(z.enum(RESOURCE_KINDS)).default(['exchange', 'graph']),
    exchange: z
      .object({
        ewsEnabled: triState.default(null),
        ewsAllowedAppIds: z.array(guid).nullable().default(null),
        ewsApplicationAccessPolicy: z.enum(['EnforceAllowList', 'EnforceBlockList']).nullable().default(null),
        ewsAllowList: z.array(z.string()).default([]),
        ewsBlockList: z.array(z.string()).default([]),
      })
      .strict()
      .default({
        ewsEnabled: null,
        ewsAllowedAppIds: null,
        ewsApplicationAccessPolicy: null,
        ewsAllowList: [],
        ewsBlockList: [],
      }),
    apps: z.array(appSchema).min(1),
    mailboxes: z.array(mailboxSchema).default([]),
    applicationAccessPolicies: z
      .array(
        z
          .object({
            appId: guid,
            accessRight: z.enum(['RestrictAccess', 'DenyAccess']),
            scope: z.array(address),
          })
          .strict(),
      )
      .default([]),
    rbacForApps: z
      .array(
        z
          .object({
            appId: guid,
            role: z.string().startsWith('Application '),
            scope: z.union([z.literal('organization'), z.array(address)]),
          })
          .strict(),
      )
      .default([]),
    conditionalAccess: z
      .object({ blockedAppIds: z.array(guid) })
      .strict()
      .optional(),
    throttling: z
      .object({
        ews: z
          .object({
            requestsPerMinute: z.number().int().min(0),
            backOffMilliseconds: z.number().int().min(0).default(30000),
          })
          .strict()
          .optional(),
        graph: z
          .object({
            requestsPerMinute: z.number().int().min(0),
            retryAfterSeconds: z.number().int().min(0).default(30),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    /** Exchange and Graph judge token lifetimes on a clock this far ahead of Entra's (a client presenting stale tokens). */
    resourceClockAheadSeconds: z.number().int().min(0).default(0),
    /** The app tenant-health checks for this tenant, and how that app calls the services. */
    probe: z
      .object({
        clientId: guid,
        credential: z.enum(['secret', 'certificate', 'federated']).default('secret'),
        canaries: z.array(address).min(1),
        keyVaultSecretName: z
          .string()
          .regex(/^[0-9a-zA-Z-]{1,127}$/, 'Key Vault secret names are 1-127 letters, digits and dashes')
          .optional(),
        /** What tenant-health's vault holds for this app when it differs from the registered credential (rotated in one place only). */
        vaultValue: z.string().optional(),
        client: clientProfileSchema.default({ ews: true, impersonation: true, auth: 'oauth' }),
      })
      .strict(),
    /** App IDs Microsoft has seen calling EWS in this tenant (Message Center "Update active EWS applications"). */
    ewsUsage: z
      .array(z.object({ appId: guid, calls: z.number().int().min(0), lastActivity: instant }).strict())
      .default([]),
  })
  .strict();

const faultSchema = z
  .object({
    route: z.enum(ROUTES),
    tenantId: guid.optional(),
    latencyMs: z.number().min(0).default(0),
    jitterMs: z.number().min(0).default(0),
    errorRate: z.number().min(0).max(1).default(0),
    errorStatus: z.number().int().min(400).max(599).default(503),
    resetRate: z.number().min(0).max(1).default(0),
    slowBodyMs: z.number().min(0).default(0),
    malformedRate: z.number().min(0).max(1).default(0),
    oversizedBytes: z.number().int().min(0).default(0),
    /** Accepts the request and never answers, until the client gives up (a hung service or a black-holing proxy). */
    hang: z.boolean().default(false),
    /** Answers 302 to a sign-in page instead of serving the call (a captive portal or an intercepting proxy). */
    redirectRate: z.number().min(0).max(1).default(0),
    /** Answers 400 with the request body quoted back (a misbehaving endpoint that echoes what it was sent). */
    echoRequestBody: z.boolean().default(false),
  })
  .strict();

export const scenarioSchema = z
  .object({
    /** The simulated clock starts here and runs at real speed; absent, it follows the real clock. */
    clock: z.object({ start: instant.optional() }).strict().default({}),
    /** The tenant that owns tenant-health's Key Vault and managed identity. */
    operatorTenantId: guid.default('7d0c1a6e-5f1b-4c1e-9a0e-0b5d2c3f4a10'),
    /** tenant-health's managed identity in the operator's tenant. */
    managedIdentity: z
      .object({ clientId: guid, objectId: guid })
      .strict()
      .default({ clientId: '5a1c7f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b', objectId: 'b7e4d2c1-9a8f-4e3d-8c2b-1a0f9e8d7c6b' }),
    /** Seeds the fault injector so that rates replay identically. */
    seed: z.number().int().default(1),
    faults: z.array(faultSchema).default([]),
    keyVaultSecrets: z
      .array(
        z
          .object({
            name: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/),
            value: z.string(),
            expires: instant.optional(),
            contentType: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
    tenants: z.array(tenantSchema).min(1),
  })
  .strict()
  .superRefine((scenario, ctx) => {
    const seen = new Set<string>();
    scenario.tenants.forEach((tenant, i) => {
      for (const key of [tenant.tenantId.toLowerCase(), tenant.domain.toLowerCase()]) {
        if (seen.has(key))
          ctx.addIssue({
            code: 'custom',
            path: ['tenants', i],
            message: `${tenant.name}: ${key} is used by another tenant`,
          });
        seen.add(key);
      }
      const app = tenant.apps.find((a) => a.clientId.toLowerCase() === tenant.probe.clientId.toLowerCase());
      if (!app) {
        ctx.addIssue({
          code: 'custom',
          path: ['tenants', i, 'probe', 'clientId'],
          message: `${tenant.name}: no app in apps has this clientId`,
        });
      } else if (
        { secret: app.secrets, certificate: app.certificates, federated: app.federatedCredentials }[
          tenant.probe.credential
        ].length === 0
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['tenants', i, 'probe', 'credential'],
          message: `${tenant.name}: the probe app has no ${tenant.probe.credential}`,
        });
      }
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type TenantSpec = Scenario['tenants'][number];
export type AppSpec = TenantSpec['apps'][number];
export type MailboxSpec = TenantSpec['mailboxes'][number];
export type FaultRule = z.infer<typeof faultSchema>;
export type FaultRuleInput = z.input<typeof faultSchema>;
export type RouteName = (typeof ROUTES)[number];
export type Cloud = CloudName;
export type ClientProfile = TenantSpec['probe']['client'];

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

/** Validates a scenario; the error lists every problem with the path of the field, e.g. tenants[2].apps[0].clientId. */
export function parseScenario(input: unknown): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  throw new ScenarioError(`invalid scenario:\n  ${problems.join('\n  ')}`);
}

export const parseFaultRule = (input: unknown): FaultRule => {
  const result = faultSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ScenarioError(
    `invalid fault rule: ${result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ')}`,
  );
};

function formatPath(path: PropertyKey[]): string {
  return (
    path.reduce<string>(
      (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
      '',
    ) || '(root)'
  );
}

/** Resolves an instant from the schema against the clock's start. */
export function resolveInstant(value: string, start: number): number {
  const relative = /^([+-])(\d+)([dhm])$/.exec(value);
  if (!relative) return Date.parse(value);
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[3] as 'd' | 'h' | 'm'];
  return start + (relative[1] === '-' ? -1 : 1) * Number(relative[2]) * unit;
}
