// Exchange's control plane through the admin API: org EwsEnabled, whether EwsAllowedAppIDs lists this app, canaries' EwsEnabled.
import { randomUUID } from 'node:crypto';
import { CLOUDS } from '../core/clouds';
import type { TenantDefinition } from '../core/tenants';
import {
  callOnce,
  jsonProof,
  throttleWaitMs,
  type GrantedToken,
  type ProbeContext,
  type ProbeDefinition,
  type ProbeName,
  type ProbeOutcome,
} from './probe-kit';
import type { ControlPlaneFacts } from './facts';

/** A cmdlet proves itself by returning its object; an empty list is an answer about nothing. */
const CMDLET_PROOF = jsonProof(
  "the cmdlet's object in a value list",
  (b) => Array.isArray(b.value) && b.value.length > 0 && typeof b.value[0] === 'object',
);

async function invoke(
  context: ProbeContext,
  tenant: TenantDefinition,
  token: GrantedToken,
  name: ProbeName,
  cmdlet: string,
  parameters: Record<string, unknown>,
  mailbox?: string,
) {
  const outcome = await callOnce(
    context,
    {
      endpoint: 'adminapi',
      operation: cmdlet,
      authMode: 'app-only',
      ...(mailbox ? { mailbox } : {}),
      method: 'POST',
      url: `${CLOUDS[tenant.cloud].exchange}/adminapi/beta/${tenant.tenantId}/InvokeCommand`,
      headers: {
        authorization: `Bearer ${token.token}`,
        'content-type': 'application/json',
        'x-responseformat': 'json',
        'x-anchormailbox': `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${tenant.tenantId}`,
        'user-agent': context.userAgent,
        'client-request-id': randomUUID(),
      },
      body: JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } }),
      tokenClaims: token.claims,
    },
    throttleWaitMs,
    CMDLET_PROOF,
  );
  const value = outcome.ok ? (JSON.parse(outcome.exchange.body) as { value: Record<string, unknown>[] }).value : [];
  const probe: ProbeOutcome = {
    result: { name, ...(mailbox ? { mailbox } : {}), ok: outcome.ok, status: outcome.exchange.status, ms: outcome.ms },
    evidence: outcome.evidence,
  };
  return { probe, value };
}

const triState = (value: unknown): boolean | null => (typeof value === 'boolean' ? value : null);

export async function probeControlPlane(
  context: ProbeContext,
  tenant: TenantDefinition,
  token: GrantedToken,
): Promise<{ probes: ProbeOutcome[]; facts: ControlPlaneFacts }> {
  const facts: ControlPlaneFacts = { mailboxEwsEnabled: {} };
  const casReads = tenant.canaries.map(
    (mailbox) =>
      [
        mailbox,
        invoke(context, tenant, token, 'adminapi.casMailbox', 'Get-CASMailbox', { Identity: mailbox }, mailbox),
      ] as const,
  );
  const organization = await invoke(context, tenant, token, 'adminapi.organizationConfig', 'Get-OrganizationConfig', {
    RetrieveEwsOperationAccessPolicy: true,
  });
  const probes = [organization.probe];
  const config = organization.value[0];
  if (config) {
    facts.organizationEwsEnabled = triState(config.EwsEnabled);
    const list =
      typeof config.EwsAllowedAppIDs === 'string'
        ? config.EwsAllowedAppIDs.split(/[,;\s]+/)
            .filter(Boolean)
            .map((id) => id.toLowerCase())
        : null;
    facts.ewsAllowedAppIds = list;
    facts.appInAllowList = list && list.length > 0 ? list.includes(tenant.clientId.toLowerCase()) : null;
    facts.ewsApplicationAccessPolicy =
      typeof config.EwsApplicationAccessPolicy === 'string' ? config.EwsApplicationAccessPolicy : null;
  }
  // The canaries' settings are read beside the organization's; they are kept only when the admin API answered at all.
  if (organization.probe.result.status === 200) {
    for (const [mailbox, cas] of casReads) {
      const read = await cas;
      probes.push(read.probe);
      if (read.value[0]) facts.mailboxEwsEnabled[mailbox] = triState(read.value[0].EwsEnabled);
    }
  } else {
    await Promise.all(casReads.map(([, cas]) => cas));
  }
  return { probes, facts };
}

/** The control plane, when the tenant allows it and the app holds Exchange.ManageAsApp; otherwise nothing is said. */
export const CONTROL_PLANE_PROBE: ProbeDefinition = {
  name: 'adminapi.organizationConfig',
  per: 'tenant',
  enabled: (tenant) => tenant.checks.controlPlane === 'auto',
  token: () => 'exchange',
  runsWith: ['Exchange.ManageAsApp'],
  run: async ({ context, tenant, token }) => {
    const plane = await probeControlPlane(context, tenant, token!);
    return { outcomes: plane.probes, facts: { controlPlane: plane.facts } };
  },
  unable: () => ({ outcomes: [] }),
  permission: { check: 'controlPlane', resource: 'exchange', roles: ['Exchange.ManageAsApp'] },
  readiness: ['C'],
  // EwsEnabled and EwsAllowedAppIDs take up to 24 hours to apply in Exchange; an hour old is still news.
  cacheForMs: 60 * 60_000,
};
