// Watched-tenant definitions: what to check for each tenant and where its app credential lives, validated once.
import { z } from 'zod';
import { CLOUD_NAMES } from './clouds';
import { DOMAIN_PATTERN, GUID_PATTERN } from './tenant-id';
import { TAG_NAME } from './tags';
import { vaultUrlProblem } from './endpoints';

/** Entries one tenants file may hold: a large MSP's fleet, with room, and a bound on what one read holds in memory. */
export const MAX_TENANTS = 100_000;

const guid = z.string().regex(GUID_PATTERN, 'expected a GUID');
const domain = z.string().regex(DOMAIN_PATTERN, 'expected a domain such as contoso.onmicrosoft.com');
const CONTROL = /\p{Cc}/u;
/** Text a person wrote: bounded to fit a Table storage property and a terminal line, and free of control characters. */
const plainText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !CONTROL.test(value), 'may not hold control characters (line breaks, NUL, terminal escapes)');
const address = z
  .string()
  .max(320)
  .regex(/^[^@\s\p{Cc}]+@[^@\s\p{Cc}]+\.[^@\s\p{Cc}]+$/u, 'expected an SMTP address');
const secretName = z
  .string()
  .regex(/^[0-9a-zA-Z-]{1,127}$/, 'Key Vault secret names are 1-127 letters, digits and dashes');

const credentialSchema = z.discriminatedUnion('type', [
  /** A client secret kept as a Key Vault secret. */
  z.object({ type: z.literal('secret'), keyVaultSecretName: secretName }).strict(),
  /** A certificate kept as a Key Vault secret: PEM (certificate and private key) or PFX (base64, optional password secret). */
  z
    .object({
      type: z.literal('certificate'),
      keyVaultSecretName: secretName,
      pfxPasswordSecretName: secretName.optional(),
    })
    .strict(),
  /** A federated credential: tenant-health's managed identity vouches for the app; no secret is stored anywhere. */
  z.object({ type: z.literal('federated'), managedIdentityClientId: guid.optional() }).strict(),
]);

const checksSchema = z
  .object({
    ews: z
      .object({
        enabled: z.boolean().default(true),
        /** false mirrors an app that calls EWS app-only without the ExchangeImpersonation header. */
        impersonation: z.boolean().default(true),
        /** The scope the app asks for EWS; the cloud's Exchange resource unless the app asks for something else. */
        scope: z.string().optional(),
        /** basic mirrors an app that still sends a username and password (the secret) to EWS. */
        auth: z.enum(['oauth', 'basic']).default('oauth'),
      })
      .strict()
      .default({ enabled: true, impersonation: true, auth: 'oauth' }),
    graph: z
      .object({ enabled: z.boolean().default(true) })
      .strict()
      .default({ enabled: true }),
    /** Exchange's control plane through the admin API: auto runs it when the token holds Exchange.ManageAsApp. */
    controlPlane: z.enum(['auto', 'off']).default('auto'),
  })
  .strict();

export const tenantDefinitionSchema = z
  .object({
    /** The tenant's GUID or one of its domains. */
    tenantId: z.union([guid, domain]),
    name: plainText(256),
    cloud: z.enum(CLOUD_NAMES).default('worldwide'),
    clientId: guid,
    credential: credentialSchema,
    canaries: z.array(address).min(1, 'name at least one canary mailbox').max(20),
    checks: checksSchema.default({
      ews: { enabled: true, impersonation: true, auth: 'oauth' },
      graph: { enabled: true },
      controlPlane: 'auto',
    }),
    /** Labels for people who watch many tenants (customer, tier, region...): carried into results, summary and alerts. */
    tags: z
      .record(
        z.string(),
        z
          .string()
          .min(1)
          .max(64)
          .refine(
            (value) => ![...value].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127),
            'tag values may not hold control characters',
          ),
      )
      .superRefine((tags, issues) => {
        const names = Object.keys(tags);
        if (names.length > 10) issues.addIssue({ code: 'custom', message: 'at most 10 tags' });
        for (const name of names.filter((n) => !TAG_NAME.test(n)))
          issues.addIssue({
            code: 'custom',
            path: [name],
            message: 'tag names are 1-32 lower-case letters, digits, - or _, starting with a letter',
          });
      })
      .optional(),
    /** Sent as User-Agent, so that user-agent allow lists see what the tenant's app sends. */
    userAgent: plainText(256).optional(),
  })
  .strict();

export const tenantsFileSchema = z
  .object({
    /** tenant-health's Key Vault, e.g. https://tenant-health-kv.vault.azure.net; absent for laptop runs with --secrets. */
    keyVaultUrl: z.string().max(2048).optional(),
    tenants: z.array(tenantDefinitionSchema).min(1, 'list at least one tenant').max(MAX_TENANTS),
  })
  .strict();

export type TenantDefinition = z.infer<typeof tenantDefinitionSchema>;

export type TenantsFile = z.infer<typeof tenantsFileSchema>;
export type CredentialReference = TenantDefinition['credential'];

export class TenantDefinitionError extends Error {
  override readonly name = 'TenantDefinitionError';
}

/** A name from the file as a message may show it: control characters out, cut short. */
const shown = (name: string) => {
  const clean = name.replace(/\p{Cc}+/gu, ' ');
  return clean.length > 60 ? `${clean.slice(0, 59)}…` : clean;
};
const MAX_PROBLEMS = 20;

/**
 * Validates a tenants file; every problem names the tenant (by index and name) and the field. keyVaultUrl must be a
 * Key Vault of one of our clouds, or (allowLoopback, for tests) http on loopback.
 */
export function parseTenantsFile(input: unknown, options: { allowLoopback?: boolean } = {}): TenantsFile {
  const listed = (input as { tenants?: unknown } | null)?.tenants;
  if (Array.isArray(listed) && listed.length > MAX_TENANTS)
    throw new TenantDefinitionError(
      `tenants: ${listed.length} entries, more than the ${MAX_TENANTS} one file may hold; split the file`,
    );
  const result = tenantsFileSchema.safeParse(input);
  if (result.success) {
    const vaultProblem =
      result.data.keyVaultUrl === undefined
        ? null
        : vaultUrlProblem(result.data.keyVaultUrl, options.allowLoopback ?? false);
    if (vaultProblem) throw new TenantDefinitionError(`keyVaultUrl ${vaultProblem}`);
    const seen = new Map<string, number>();
    result.data.tenants.forEach((tenant, i) => {
      const key = `${tenant.tenantId.toLowerCase()}|${tenant.clientId.toLowerCase()}`;
      const earlier = seen.get(key);
      if (earlier !== undefined)
        throw new TenantDefinitionError(
          `tenants[${i}] (${shown(tenant.name)}): the same tenantId and clientId as tenants[${earlier}]`,
        );
      seen.set(key, i);
    });
    return result.data;
  }
  const tenants = (input as { tenants?: unknown[] } | null)?.tenants;
  const problems = result.error.issues.map((issue) => {
    const [first, index, ...rest] = issue.path;
    if (first === 'tenants' && typeof index === 'number') {
      const name = (tenants?.[index] as { name?: unknown } | undefined)?.name;
      const label = typeof name === 'string' ? ` (${shown(name)})` : '';
      return `tenants[${index}]${label}${rest.length ? `.${rest.join('.')}` : ''}: ${issue.message}`;
    }
    return `${issue.path.join('.') || '(file)'}: ${issue.message}`;
  });
  const more = problems.length > MAX_PROBLEMS ? [`... and ${problems.length - MAX_PROBLEMS} more`] : [];
  throw new TenantDefinitionError(
    `invalid tenant definitions:\n  ${[...problems.slice(0, MAX_PROBLEMS), ...more].join('\n  ')}`,
  );
}
