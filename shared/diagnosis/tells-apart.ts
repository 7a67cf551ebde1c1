// For each cause, the one check that confirms it over the others a failure could also mean: data, grown with the causes.
import type { Cause } from '../core/causes';

export const TELLS_APART: Readonly<Record<Cause, string>> = {
  delegated_permission_only:
    'Decode the access token (jwt.ms): an app-only token has roles and no scp; scp means a user token or delegated-only permissions.',
  missing_app_permission:
    'Decode the access token: its roles must hold the permission the call needs (full_access_as_app for EWS, Mail.* for Graph mail); Enterprise applications > Permissions shows whether admin consent was granted.',
  wrong_audience:
    'Decode the access token: aud must be the resource called (https://outlook.office365.com for EWS, https://graph.microsoft.com for Graph).',
  missing_impersonation_header:
    'Look at the SOAP request: an app-only EWS call needs <t:ExchangeImpersonation> and the X-AnchorMailbox header.',
  mailbox_out_of_scope:
    'Test-ApplicationAccessPolicy -Identity <mailbox> -AppId <app> and Test-ServicePrincipalAuthorization -Identity <app> -Resource <mailbox>: AccessCheckResult Denied or InScope False confirms it; another mailbox answering the same app does too.',
  ews_disabled:
    'Look for an X-EWS-Policy-Reason header on the 403, then run Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy | fl EwsEnabled,EwsAllowedAppIDs and Get-CASMailbox <mailbox> | fl EwsEnabled (the control-plane probe reads these when the app holds Exchange.ManageAsApp).',
  mailbox_not_found:
    'Get-EXOMailbox <mailbox> (or GET /users/<mailbox> in Graph): no mailbox, a user without an Exchange Online licence, or an on-premises mailbox.',
  invalid_client_credentials:
    'Compare the secret or certificate thumbprint the app sends with those listed under App registrations > Certificates & secrets, and their expiry dates.',
  app_or_tenant_not_found:
    'Open https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration (tenant) and look for the app id under Enterprise applications in that tenant (service principal).',
  throttled:
    'A 429 or 503 with Retry-After, or ErrorServerBusy with BackOffMilliseconds: the same call succeeding after the wait confirms it.',
  basic_auth_disabled:
    'The request authenticated with a user name and password, and the 401 carries WWW-Authenticate: Basic: Exchange Online accepts OAuth only.',
  conditional_access_or_network_block:
    'Entra sign-in logs > Service principal sign-ins for the app: the failure names the Conditional Access policy or location that blocked it.',
  token_expired:
    "Decode the access token: exp earlier than the time of the call (or the caller's clock running behind) confirms it.",
  other:
    "The evidence lines name what was seen; the service's own request id (request-id, x-ms-request-id) lets Microsoft support find the call.",
};
