// App credentials: read from Key Vault (or a local file on a laptop), cached briefly, turned into what MSAL takes.
import { readFile } from 'node:fs/promises';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import forge from 'node-forge';
import { z } from 'zod';
import { sdkClientOptions } from './azure-sdk';
import type { Evidence } from '../core/evidence';
import { untilDeadline } from './http';
import type { CredentialReference } from '../core/tenants';
import { describeError, redact } from '../core/redact';

export interface StoredSecret {
  value: string;
  contentType?: string;
  expiresOn?: Date;
}

/** Where secrets come from. get() returns null for a secret that does not exist and throws for anything else. */
export interface SecretStore {
  readonly description: string;
  /** A secret; `maxAgeMs` asks for one read at most that long ago (the store's own keeping time otherwise). */
  get(name: string, deadline?: AbortSignal, options?: { maxAgeMs?: number }): Promise<StoredSecret | null>;
  /** Drops what is kept of a secret, so the next get reads it afresh (Entra refused it: it may have been rotated). */
  forget?(name: string): void;
}

/** The vault secrets a credential reference reads: its own, and a PFX's password when it has one. */
export const secretNamesOf = (reference: CredentialReference): string[] =>
  reference.type === 'federated'
    ? []
    : [
        reference.keyVaultSecretName,
        ...(reference.type === 'certificate' && reference.pfxPasswordSecretName
          ? [reference.pfxPasswordSecretName]
          : []),
      ];

export type CredentialMaterial =
  | { kind: 'secret'; secret: string; expiresOn?: Date }
  | {
      kind: 'certificate';
      certificate: { thumbprintSha256: string; privateKey: string; x5c: string };
      expiresOn?: Date;
    }
  | { kind: 'federated'; managedIdentityClientId?: string };

export type CredentialOutcome =
  { ok: true; material: CredentialMaterial } | { ok: false; evidence: Evidence; message: string };

/**
 * A secret is read once a day, or again as soon as Entra refuses it (forget): a credential changes when it is rotated,
 * not every cycle.
 */
const CACHE_MS = 24 * 60 * 60_000;
/** After the vault fails to answer, how long other reads fail at once instead of waiting the same way. */
const UNAVAILABLE_MS = 30_000;

interface VaultOutage {
  at: string;
  until: number;
  reason: string;
}

/** A read not sent because the vault failed moments ago; evidence of our own vault's outage, like the failure itself. */
export class KeyVaultUnavailableError extends Error {
  override readonly name = 'KeyVaultUnavailable';
  readonly code = 'key_vault_unavailable';
  constructor(outage: VaultOutage) {
    super(
      `not asked: Key Vault failed at ${outage.at} (${outage.reason}); it is asked again from ${new Date(outage.until).toISOString()}`,
    );
  }
}

/** Key Vault through @azure/keyvault-secrets; answers are kept for a day, or until the secret expires or is refused. */
export class KeyVaultSecretStore implements SecretStore {
  readonly description: string;
  private readonly client: SecretClient;
  private readonly cache = new Map<string, { at: number; secret: StoredSecret | null }>();
  private readonly now: () => number;
  private down: VaultOutage | undefined;

  constructor(
    vaultUrl: string,
    credential: TokenCredential,
    options: { allowInsecureConnection?: boolean; now?: () => number } = {},
  ) {
    this.description = `Key Vault ${vaultUrl}`;
    // A vault on loopback (the simulated cloud) does not share Azure's challenge resource or TLS.
    const local = /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(vaultUrl);
    this.client = new SecretClient(vaultUrl, credential, {
      ...sdkClientOptions(),
      allowInsecureConnection: options.allowInsecureConnection ?? local,
      disableChallengeResourceVerification: local,
    });
    this.now = options.now ?? Date.now;
  }

  async get(name: string, deadline?: AbortSignal, options: { maxAgeMs?: number } = {}): Promise<StoredSecret | null> {
    const cached = this.cache.get(name);
    const expired = cached?.secret?.expiresOn !== undefined && cached.secret.expiresOn.getTime() <= this.now();
    if (cached && !expired && this.now() - cached.at < (options.maxAgeMs ?? CACHE_MS)) return cached.secret;
    if (this.down && this.now() < this.down.until) throw new KeyVaultUnavailableError(this.down);
    let secret: StoredSecret | null;
    try {
      const found = await untilDeadline(
        this.client.getSecret(name, deadline ? { abortSignal: deadline } : {}),
        deadline,
      );
      secret = {
        value: found.value ?? '',
        contentType: found.properties.contentType,
        expiresOn: found.properties.expiresOn,
      };
      this.down = undefined;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) {
        secret = null;
      } else {
        // No answer, or the vault failing: every other tenant would wait the same way, so the vault is left alone a while.
        if (status === undefined || status === 429 || status >= 500) {
          this.down = {
            at: new Date(this.now()).toISOString(),
            until: this.now() + UNAVAILABLE_MS,
            reason: describeError(error),
          };
        }
        throw error;
      }
    }
    this.cache.set(name, { at: this.now(), secret });
    return secret;
  }

  forget(name: string): void {
    this.cache.delete(name);
  }
}

const localFileSchema = z.record(
  z.string(),
  z.union([
    z.string(),
    z
      .object({
        value: z.string(),
        contentType: z.string().optional(),
        expiresOn: z.string().datetime({ offset: true }).optional(),
      })
      .strict(),
  ]),
);

/**
 * For laptop runs: a JSON file mapping Key Vault secret names to values, e.g. {"contoso-app-credential": "..."} or
 * {"contoso-app-credential": {"value": "...", "expiresOn": "2027-06-30T00:00:00Z"}}. Keep it out of the repository.
 */
export class LocalSecretStore implements SecretStore {
  readonly description: string;
  private constructor(
    path: string,
    private readonly secrets: z.infer<typeof localFileSchema>,
  ) {
    this.description = `local secrets file ${path}`;
  }

  static async load(path: string): Promise<LocalSecretStore> {
    const text = await readFile(path, 'utf8');
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      // The parser's message quotes the text around the fault, which here is a secret; only its place is told.
      const position = Number((error instanceof Error ? error.message : '').match(/position (\d+)/)?.[1]);
      const where = Number.isFinite(position) ? ` at line ${text.slice(0, position).split('\n').length}` : '';
      throw new Error(`${path} is not valid JSON${where}; its content is not shown because it holds secrets`);
    }
    const parsed = localFileSchema.safeParse(data);
    if (!parsed.success) {
      throw new Error(
        `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`,
      );
    }
    return new LocalSecretStore(path, parsed.data);
  }

  get(name: string): Promise<StoredSecret | null> {
    const entry = this.secrets[name];
    if (entry === undefined) return Promise.resolve(null);
    if (typeof entry === 'string') return Promise.resolve({ value: entry });
    return Promise.resolve({
      value: entry.value,
      contentType: entry.contentType,
      expiresOn: entry.expiresOn ? new Date(entry.expiresOn) : undefined,
    });
  }
}

/** Loads one tenant's credential; a missing or unusable secret is evidence about that tenant, not an exception. */
export async function loadCredential(
  reference: CredentialReference,
  store: SecretStore,
  observedAt: string,
  deadline?: AbortSignal,
): Promise<CredentialOutcome> {
  if (reference.type === 'federated')
    return { ok: true, material: { kind: 'federated', managedIdentityClientId: reference.managedIdentityClientId } };
  const failed = (message: string, status: number | null, error?: unknown): CredentialOutcome => ({
    ok: false,
    message,
    evidence: {
      endpoint: 'keyvault',
      request: { method: 'GET', operation: `GetSecret ${reference.keyVaultSecretName}`, authMode: 'unknown' },
      response: { status, headers: {}, body: '' },
      error: {
        name: error instanceof Error ? error.name : 'CredentialError',
        message: error instanceof Error ? redact(error.message) : message,
        ...(typeof (error as { code?: unknown })?.code === 'string' ? { code: (error as { code: string }).code } : {}),
      },
      observedAt,
    },
  });
  let stored: StoredSecret | null;
  try {
    stored = await store.get(reference.keyVaultSecretName, deadline);
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode ?? null;
    return failed(`${store.description} could not be read for secret ${reference.keyVaultSecretName}`, status, error);
  }
  if (!stored) return failed(`${store.description} has no secret named ${reference.keyVaultSecretName}`, 404);
  if (reference.type === 'secret') {
    if (!stored.value) return failed(`secret ${reference.keyVaultSecretName} is empty`, 200);
    return { ok: true, material: { kind: 'secret', secret: stored.value, expiresOn: stored.expiresOn } };
  }
  try {
    let password = '';
    if (reference.pfxPasswordSecretName)
      password = (await store.get(reference.pfxPasswordSecretName, deadline))?.value ?? '';
    const certificate = parseCertificate(stored.value, stored.contentType, password);
    return {
      ok: true,
      material: {
        kind: 'certificate',
        certificate,
        expiresOn: stored.expiresOn ?? new Date(new X509Certificate(certificate.x5c).validTo),
      },
    };
  } catch (error) {
    return failed(
      `secret ${reference.keyVaultSecretName} holds no usable certificate: ${error instanceof Error ? error.message : String(error)}`,
      200,
    );
  }
}

/** PEM (certificate and private key) or base64 PFX, as Key Vault stores certificates, into MSAL's clientCertificate. */
export function parseCertificate(
  value: string,
  contentType: string | undefined,
  password = '',
): { thumbprintSha256: string; privateKey: string; x5c: string } {
  let certificatePem: string;
  let privateKeyPem: string;
  if (value.includes('-----BEGIN')) {
    certificatePem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(value)?.[0] ?? '';
    privateKeyPem =
      /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(
        value,
      )?.[0] ?? '';
    if (!certificatePem) throw new Error('the PEM has no CERTIFICATE block');
    if (!privateKeyPem) throw new Error('the PEM has no PRIVATE KEY block');
  } else if (contentType === 'application/x-pkcs12' || /^[A-Za-z0-9+/=\s]+$/.test(value)) {
    const p12 = forge.pkcs12.pkcs12FromAsn1(
      forge.asn1.fromDer(forge.util.decode64(value.replace(/\s+/g, ''))),
      password,
    );
    const bag = (type: string) => p12.getBags({ bagType: type })[type]?.[0];
    const cert = bag(forge.pki.oids.certBag!)?.cert;
    const key = bag(forge.pki.oids.pkcs8ShroudedKeyBag!)?.key ?? bag(forge.pki.oids.keyBag!)?.key;
    if (!cert) throw new Error('the PFX has no certificate');
    if (!key) throw new Error('the PFX has no private key');
    certificatePem = forge.pki.certificateToPem(cert);
    privateKeyPem = forge.pki.privateKeyToPem(key);
  } else {
    throw new Error('expected a PEM certificate with its private key, or a base64 PFX');
  }
  // Normalise to PKCS#8, which MSAL's signer accepts in every form.
  const privateKey = createPrivateKey(privateKeyPem).export({ type: 'pkcs8', format: 'pem' }).toString();
  const thumbprintSha256 = new X509Certificate(certificatePem).fingerprint256.replace(/:/g, '');
  return { thumbprintSha256, privateKey, x5c: certificatePem };
}
