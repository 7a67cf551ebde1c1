// Our own infrastructure: tenant-health's vault and identity, and the tenant definition's secret name.
import { DOCS, FIXES } from '../fixes';
import { isIdentityError, type Signals } from '../signals';
import { code, type Rule } from './rule-kit';

/** The client's own reason, on one line and cut short. */
const reason = (s: Signals) => {
  const line = (s.errorMessage ?? s.label).replace(/\s+/g, ' ').trim();
  return line.length > 240 ? `${line.slice(0, 239)}…` : line;
};

export const INFRASTRUCTURE_RULES: readonly Rule[] = [
  {
    id: 'identity-unavailable',
    cause: 'other',
    detail: 'identity_unavailable',
    ours: true,
    reads:
      '@azure/identity CredentialUnavailableError / AuthenticationError while reading Key Vault or getting a federated assertion',
    match: (s) => (s.ours && isIdentityError(s) ? { confidence: 'high', because: [] } : null),
    summary: (s) =>
      `tenant-health's own identity could not get a token (no managed identity on this host, its endpoint failing, or no az login on a laptop), so the tenant was not checked. It said: ${reason(s)}`,
    fix: () => FIXES.ownIdentity(),
    docs: [DOCS.managedIdentity],
  },
  {
    id: 'key-vault-secret-missing',
    cause: 'other',
    detail: 'key_vault_secret_missing',
    reads: 'Key Vault answer 404 / SecretNotFound',
    match: (s) =>
      s.endpoint === 'keyvault' && (s.status === 404 || code(s, 'SecretNotFound'))
        ? { confidence: 'high', because: [] }
        : null,
    summary: () =>
      "The tenant's app credential is not in Key Vault under the name the tenant definition gives, so no check could run.",
    fix: () => FIXES.keyVaultSecret(),
    docs: [DOCS.keyVaultAccess],
  },
  {
    id: 'key-vault-credential-unusable',
    cause: 'other',
    detail: 'credential_unusable',
    reads: 'Key Vault answered, but the secret is empty or not a certificate with its private key (the parse error)',
    match: (s) =>
      s.endpoint === 'keyvault' && s.status === 200 && s.errorMessage ? { confidence: 'high', because: [] } : null,
    summary: (s) => `The credential stored in Key Vault for this tenant cannot be used: ${reason(s)}`,
    fix: () => [
      "Store the app credential in the form the tenant definition says: a client secret as the secret's value; a certificate as PEM with the CERTIFICATE and PRIVATE KEY blocks, or as base64 PFX (content type application/x-pkcs12), with pfxPasswordSecretName naming its password.",
      'Key Vault certificates imported with an exportable key are readable as secrets in PFX form under the same name.',
    ],
    docs: [DOCS.certificateCredentials, DOCS.keyVaultAccess],
  },
  {
    id: 'key-vault-access-denied',
    cause: 'other',
    detail: 'key_vault_access_denied',
    ours: true,
    reads: 'Key Vault answer 401/403 or Forbidden',
    match: (s) =>
      s.endpoint === 'keyvault' && (s.status === 401 || s.status === 403 || code(s, 'Forbidden'))
        ? { confidence: 'high', because: [] }
        : null,
    summary: () =>
      'tenant-health could not read the credential from Key Vault: its identity lacks access to the vault.',
    fix: () => FIXES.keyVaultAccess(),
    docs: [DOCS.keyVaultAccess],
  },
  {
    id: 'key-vault-unavailable',
    cause: 'other',
    detail: 'key_vault_unavailable',
    ours: true,
    reads: 'Key Vault: no answer in time, a 5xx, a network error, or an answer over the cap',
    match: (s) => (s.ours && s.endpoint === 'keyvault' ? { confidence: 'high', because: [] } : null),
    summary: (s) =>
      `tenant-health's Key Vault did not give the credential (${s.errorName === 'DeadlineExceeded' ? 'no answer before the check deadline' : s.status !== null ? `HTTP ${s.status}` : 'no answer'}); the tenant was not checked.`,
    fix: () => FIXES.keyVaultUnavailable(),
    docs: [DOCS.keyVaultThrottling],
  },
];
