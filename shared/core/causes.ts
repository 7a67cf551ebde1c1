// The cause ids of docs/contracts/diagnosis.md: every finding names exactly one.
export const CAUSES = [
  'delegated_permission_only',
  'missing_app_permission',
  'wrong_audience',
  'missing_impersonation_header',
  'mailbox_out_of_scope',
  'ews_disabled',
  'mailbox_not_found',
  'invalid_client_credentials',
  'app_or_tenant_not_found',
  'throttled',
  'basic_auth_disabled',
  'conditional_access_or_network_block',
  'token_expired',
  'other',
] as const;

export type Cause = (typeof CAUSES)[number];
