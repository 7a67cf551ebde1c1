// `tenant-health onboard --tenant T`: prints what onboarding a tenant takes for the checks chosen (permissions, the
// manifest fragment, the consent URL, Exchange commands, the watch entry); a person runs them, nothing is executed.
import { CLOUD_NAMES, type CloudName } from '../shared/core/clouds';
import { GUID_PATTERN, isTenantId } from '../shared/core/tenant-id';
import { ONBOARD_CHECKS, type OnboardCheck } from '../shared/onboarding/app-permissions';
import { onboardingPlan, type OnboardingPlan } from '../shared/onboarding/plan';
import { parseCommand, UsageError, type CommandSpec, printable } from './args';
import type { Io } from './io';

const ADDRESS = /^[^@\s"]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i;

function listOption<T extends string>(value: string, name: string, allowed: readonly T[]): T[] {
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = items.filter((v) => !allowed.includes(v as T));
  if (unknown.length || items.length === 0)
    throw new UsageError(`${name} takes a comma-separated list of ${allowed.join(', ')}; got "${printable(value)}"`);
  return [...new Set(items as T[])];
}

const indent = (lines: string[], by = '     ') => lines.map((l) => `${by}${l}`);

function renderPlan(plan: OnboardingPlan, registered: boolean): string {
  const out: string[] = [
    `Onboarding ${plan.tenant} (${plan.cloud} cloud) for the checks: ${plan.checks.join(', ')}. Nothing here is run for you.`,
    '',
    '1. The app registration',
    ...indent(
      registered
        ? [`Use the app ${plan.app}. Give it a certificate credential (preferred to a secret): see docs/onboarding.md.`]
        : [
            'Register one: az ad app create --display-name tenant-health --sign-in-audience AzureADMyOrg',
            '(an MSP watching many tenants registers one multi-tenant app instead: --sign-in-audience AzureADMultipleOrgs)',
            'then run onboard again with --app <its appId>. Give it a certificate credential (preferred to a secret).',
          ],
    ),
    '',
    '2. Application permissions to add (type Role) and consent to',
  ];
  for (const resourceName of [...new Set(plan.permissions.map((p) => p.resourceName))]) {
    const of = plan.permissions.filter((p) => p.resourceName === resourceName);
    out.push(`   ${resourceName} (${of[0]!.resourceAppId}):`);
    for (const p of of) out.push(`     - ${p.name.padEnd(24)} ${p.id}   ${p.check}: ${p.why}`);
  }
  if (plan.permissions.length === 0)
    out.push('     none in Entra: the checks chosen need only the Exchange grants below');
  out.push(
    '   As a manifest fragment (App registrations > Manifest, merged into requiredResourceAccess):',
    ...indent(JSON.stringify(plan.manifest, null, 2).split('\n')),
    '',
    `3. Admin consent, by an administrator of ${plan.tenant}:`,
    `     ${plan.consentUrl}`,
  );
  let step = 4;
  if (plan.exchange.scope.length)
    out.push(
      '',
      `${step++}. Mailbox access over the canaries only (RBAC for Applications): ${plan.scopedPermissions.map((p) => `${p.rbacRole} instead of ${p.name}`).join('; ')}.`,
      '   Do not also consent those in Entra: Entra consents are not narrowed by the scope and would open every mailbox.',
      ...indent(plan.exchange.scope),
    );
  if (plan.exchange.allowList.length)
    out.push(
      '',
      `${step++}. Allow the app to use EWS: add it to EwsAllowedAppIDs (read, merge, set, read back; never replace the list)`,
      ...indent(plan.exchange.allowList),
    );
  if (plan.directoryRole)
    out.push(
      '',
      `${step++}. The control-plane check also needs the Entra role ${plan.directoryRole.name} on the app's service principal (${plan.directoryRole.source})`,
      ...indent([plan.directoryRole.command]),
    );
  out.push(
    '',
    `${step}. Watch it: store the certificate (PEM with its private key) in tenant-health's Key Vault as ${plan.credentialSecretName}, add this entry to your tenants file, then run npx tenant-health watch --config FILE`,
    ...indent(JSON.stringify(plan.watchEntry, null, 2).split('\n')),
  );
  return out.join('\n');
}

export const ONBOARD_COMMAND = {
  name: 'onboard',
  summary:
    'what onboarding a tenant takes: permissions, manifest, consent URL, Exchange commands and the watch entry (printed, never run)',
  usage: [
    'onboard --tenant TENANT [--app CLIENT_ID] [--cloud CLOUD] [--checks LIST] [--canary ADDRESS]... [--mailbox-access canaries|tenant] [--name NAME] [--json]',
  ],
  options: {
    tenant: { type: 'string', value: 'TENANT', help: 'the tenant id (a GUID) or one of its domains; required' },
    app: { type: 'string', value: 'CLIENT_ID', help: "the app registration's client id, when it exists" },
    cloud: {
      type: 'string',
      default: 'worldwide',
      value: 'CLOUD',
      help: `${CLOUD_NAMES.join(', ')} (default worldwide)`,
    },
    checks: {
      type: 'string',
      default: ONBOARD_CHECKS.join(','),
      value: 'LIST',
      help: `comma-separated, of ${ONBOARD_CHECKS.join(', ')} (default all)`,
    },
    canary: { type: 'string', multiple: true, value: 'ADDRESS', help: 'a canary mailbox the probes read' },
    'mailbox-access': {
      type: 'string',
      default: 'canaries',
      value: 'canaries|tenant',
      help: 'canaries: RBAC for Applications scoped to the canaries (default); tenant: Entra consent to every mailbox',
    },
    name: { type: 'string', value: 'NAME', help: "the tenant's display name for the watch entry" },
    json: { type: 'boolean', default: false, help: 'print the plan as JSON' },
  },
  examples: ['tenant-health onboard --tenant contoso.onmicrosoft.com --canary canary@contoso.com'],
} satisfies CommandSpec;

export function onboardCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommand(ONBOARD_COMMAND, args);
  if (!values.tenant) throw new UsageError('--tenant is required: the tenant id (a GUID) or one of its domains');
  if (!isTenantId(values.tenant))
    throw new UsageError(
      `--tenant must be a tenant id (a GUID) or a domain such as contoso.onmicrosoft.com, got "${printable(String(values.tenant))}"`,
    );
  if (values.app !== undefined && !GUID_PATTERN.test(values.app))
    throw new UsageError(`--app must be the app registration's client id (a GUID), got "${printable(values.app)}"`);
  if (!(CLOUD_NAMES as readonly string[]).includes(values.cloud))
    throw new UsageError(`--cloud must be one of ${CLOUD_NAMES.join(', ')}, got "${printable(values.cloud)}"`);
  const access = values['mailbox-access'];
  if (access !== 'canaries' && access !== 'tenant')
    throw new UsageError(
      `--mailbox-access must be canaries (RBAC for Applications) or tenant (Entra consent), got "${printable(access)}"`,
    );
  const canaries = (values.canary ?? [])
    .flatMap((c) => c.split(','))
    .map((c) => c.trim())
    .filter(Boolean);
  const bad = canaries.find((c) => !ADDRESS.test(c));
  if (bad) throw new UsageError(`--canary must be a mailbox's SMTP address, got "${printable(bad)}"`);
  if (values.name !== undefined && (!values.name.trim() || /\p{Cc}/u.test(values.name)))
    throw new UsageError('--name must be a display name without control characters');
  const plan = onboardingPlan({
    tenant: values.tenant,
    ...(values.app ? { app: values.app } : {}),
    cloud: values.cloud as CloudName,
    checks: listOption<OnboardCheck>(values.checks, '--checks', ONBOARD_CHECKS),
    canaries,
    mailboxAccess: access,
    ...(values.name ? { name: values.name.trim() } : {}),
  });
  io.stdout(values.json ? JSON.stringify(plan, null, 2) : renderPlan(plan, Boolean(values.app)));
  return Promise.resolve(0);
}
