// Starts the simulated cloud for a test with its clock pinned, and fetches tokens the way any client would.
import { defaultScenario } from '../../sim/catalogue';
import type { ScenarioInput } from '../../sim/scenario';
import { startSimulatedCloud, type ScenarioListing, type SimulatedCloud } from '../../sim/server';

/** The day the catalogue's expectations are written for (after the 2026-10-01 enforcement, before the shutdown). */
export const PINNED_NOW = '2026-11-21T09:00:00Z';

/**
 * Starts the catalogue with the clock pinned, unless realClock: clients that sign assertions with their own clock
 * (MSAL's certificate credential) need the simulated Entra to share it, as the real one does.
 */
export async function startSim(
  adjust: (scenario: ScenarioInput) => void = () => undefined,
  { realClock = false } = {},
): Promise<SimulatedCloud> {
  const scenario = defaultScenario();
  scenario.clock = realClock ? {} : { start: PINNED_NOW };
  adjust(scenario);
  return startSimulatedCloud({ scenario });
}

export function tenantNamed(sim: SimulatedCloud, name: string): ScenarioListing {
  const found = sim.scenarios().find((s) => s.name === name);
  if (!found) throw new Error(`no simulated tenant named ${name}`);
  return found;
}

export async function requestToken(
  sim: SimulatedCloud,
  tenant: ScenarioListing,
  scope = 'https://outlook.office365.com/.default',
) {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: tenant.clientId, scope });
  if (tenant.clientSecret) form.set('client_secret', tenant.clientSecret);
  const response = await fetch(`${sim.endpoints.login}/${tenant.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: form,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function accessToken(sim: SimulatedCloud, tenant: ScenarioListing, scope?: string): Promise<string> {
  const { status, body } = await requestToken(sim, tenant, scope);
  if (status !== 200) throw new Error(`token request for ${tenant.name} failed: ${JSON.stringify(body)}`);
  return String(body.access_token);
}

/** A minimal EWS GetFolder envelope, with or without the ExchangeImpersonation header. */
export function getFolderEnvelope(mailbox: string, folder = 'inbox', impersonate = true): string {
  const impersonation = impersonate
    ? `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${mailbox}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`
    : '';
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ` +
    `xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">` +
    `<soap:Header><t:RequestServerVersion Version="Exchange2016"/>${impersonation}</soap:Header>` +
    `<soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>` +
    `<m:FolderIds><t:DistinguishedFolderId Id="${folder}"/></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>`
  );
}

/**
 * Points @azure/identity's managed identity at the simulated App Service endpoint, as App Service does with these two
 * settings; the returned function puts the environment back.
 */
export function useSimulatedManagedIdentity(sim: SimulatedCloud): () => void {
  const saved = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };
  process.env.IDENTITY_ENDPOINT = sim.endpoints.identity;
  process.env.IDENTITY_HEADER = sim.endpoints.identityHeader;
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
