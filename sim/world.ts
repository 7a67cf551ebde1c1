// The simulator's live state built from a scenario: clock, tenants with their generated credentials, vault, counters.
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { generateCertificate, type GeneratedCertificate } from './certificates';
import {
  resolveInstant,
  type AppSpec,
  type FaultRule,
  type MailboxSpec,
  type RouteName,
  type Scenario,
  type TenantSpec,
} from './scenario';

export interface SecretCredential {
  value: string;
  expiresAt: number;
  keyId: string;
  hint: string;
  displayName: string;
}
export interface CertificateCredential extends GeneratedCertificate {
  subject: string;
  registered: boolean;
  keyId: string;
}
export interface AppRuntime {
  spec: AppSpec;
  servicePrincipalId: string;
  applicationObjectId: string;
  secrets: SecretCredential[];
  certificates: CertificateCredential[];
}
export interface MailboxRuntime {
  spec: MailboxSpec;
  objectId: string;
}
export interface TenantRuntime {
  spec: TenantSpec;
  apps: Map<string, AppRuntime>;
  mailboxes: Map<string, MailboxRuntime>;
  probeApp: AppRuntime;
  keyVaultSecretName: string;
}
export interface VaultSecret {
  name: string;
  version: string;
  value: string;
  contentType?: string;
  created: number;
  expiresAt?: number;
}
export interface LogicAppRecord {
  receivedAt: string;
  workflowId: string;
  runId: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Where a tenant and its first app come from when GUIDs must be stable across runs. */
export function stableGuid(...parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('|')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class SimWorld {
  readonly scenario: Scenario;
  readonly startedAt: number;
  readonly tenants: TenantRuntime[];
  readonly vault = new Map<string, VaultSecret>();
  readonly logicAppInbox: LogicAppRecord[] = [];
  /** Requests received per route, for tests and benchmarks that count calls. */
  readonly requestCounts: Record<string, number> = {};
  /** The simulator's own token-signing key (Entra's, in the story). */
  readonly signingKey: { privateKey: KeyObject; publicKey: KeyObject; kid: string };
  faults: FaultRule[];
  private clockOffsetMs: number;
  private readonly byKey = new Map<string, TenantRuntime>();
  private readonly budgets = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();
  private randomState: number;

  constructor(scenario: Scenario) {
    this.scenario = scenario;
    this.startedAt = scenario.clock.start ? resolveInstant(scenario.clock.start, Date.now()) : Date.now();
    this.clockOffsetMs = this.startedAt - Date.now();
    this.faults = [...scenario.faults];
    this.randomState = scenario.seed >>> 0 || 1;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.signingKey = {
      privateKey,
      publicKey,
      kid: createHash('sha1')
        .update(publicKey.export({ type: 'spki', format: 'der' }))
        .digest('base64url'),
    };
    this.tenants = scenario.tenants.map((spec) => this.buildTenant(spec));
    for (const tenant of this.tenants) {
      this.byKey.set(tenant.spec.tenantId.toLowerCase(), tenant);
      this.byKey.set(tenant.spec.domain.toLowerCase(), tenant);
      this.storeProbeCredential(tenant);
    }
    for (const secret of scenario.keyVaultSecrets) {
      this.putSecret(
        secret.name,
        secret.value,
        secret.contentType,
        secret.expires ? this.at(secret.expires) : undefined,
      );
    }
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  setNow(instant: number): void {
    this.clockOffsetMs = instant - Date.now();
  }

  /** Resolves a scenario instant ("+30d" or ISO) against the clock's start. */
  at(instant: string): number {
    return resolveInstant(instant, this.startedAt);
  }

  tenant(idOrDomain: string): TenantRuntime | undefined {
    return this.byKey.get(idOrDomain.toLowerCase());
  }

  putSecret(name: string, value: string, contentType?: string, expiresAt?: number): VaultSecret {
    const secret = {
      name,
      version: createHash('md5').update(`${name}|${value}`).digest('hex'),
      value,
      contentType,
      created: this.now(),
      expiresAt,
    };
    this.vault.set(name.toLowerCase(), secret);
    return secret;
  }

  /** Deterministic pseudo-random numbers (mulberry32) so that fault rates replay identically for a seed. */
  random(): number {
    this.randomState = (this.randomState + 0x6d2b79f5) >>> 0;
    let t = this.randomState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  faultsFor(route: RouteName, tenantId: string | undefined): FaultRule[] {
    return this.faults.filter(
      (f) => f.route === route && (!f.tenantId || f.tenantId.toLowerCase() === tenantId?.toLowerCase()),
    );
  }

  /** Takes one request from a per-minute budget; false when the budget for the minute is spent. */
  takeBudget(key: string, perMinute: number): boolean {
    const now = this.now();
    const recent = (this.budgets.get(key) ?? []).filter((t) => now - t < 60_000);
    const allowed = recent.length < perMinute;
    if (allowed) recent.push(now);
    this.budgets.set(key, recent);
    return allowed;
  }

  /** Counts a request in flight for a key; the returned function ends it. null when the limit is reached. */
  enter(key: string, limit: number): (() => void) | null {
    const current = this.inFlight.get(key) ?? 0;
    if (current >= limit) return null;
    this.inFlight.set(key, current + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
    };
  }

  private buildTenant(spec: TenantSpec): TenantRuntime {
    const apps = new Map<string, AppRuntime>();
    for (const app of spec.apps) {
      apps.set(app.clientId.toLowerCase(), {
        spec: app,
        servicePrincipalId: stableGuid(spec.tenantId, app.clientId, 'servicePrincipal'),
        applicationObjectId: stableGuid(spec.tenantId, app.clientId, 'application'),
        secrets: app.secrets.map((s, i) => ({
          value: s.value,
          expiresAt: this.at(s.expires),
          keyId: stableGuid(app.clientId, 'secret', String(i)),
          hint: s.value.slice(0, 3),
          displayName: s.displayName,
        })),
        certificates: app.certificates.map((c, i) => ({
          ...generateCertificate(c.subject, this.startedAt - 86_400_000, this.at(c.expires)),
          subject: c.subject,
          registered: c.registered,
          keyId: stableGuid(app.clientId, 'certificate', String(i)),
        })),
      });
    }
    const mailboxes = new Map<string, MailboxRuntime>();
    for (const mailbox of spec.mailboxes) {
      mailboxes.set(mailbox.address.toLowerCase(), {
        spec: mailbox,
        objectId: stableGuid(spec.tenantId, mailbox.address),
      });
    }
    const probeApp = apps.get(spec.probe.clientId.toLowerCase())!;
    const keyVaultSecretName =
      spec.probe.keyVaultSecretName ?? `${spec.domain.split('.')[0]!.replace(/[^0-9a-zA-Z-]/g, '-')}-app-credential`;
    return { spec, apps, mailboxes, probeApp, keyVaultSecretName };
  }

  /** tenant-health's vault holds each tenant's app credential: a secret value, or a PEM with certificate and key. */
  private storeProbeCredential(tenant: TenantRuntime): void {
    const { probeApp } = tenant;
    const { vaultValue } = tenant.spec.probe;
    if (tenant.spec.probe.credential === 'federated') {
      // Nothing to store: the managed identity vouches for the app.
    } else if (vaultValue !== undefined) {
      this.putSecret(tenant.keyVaultSecretName, vaultValue, 'text/plain');
    } else if (tenant.spec.probe.credential === 'certificate') {
      const cert = probeApp.certificates[0]!;
      this.putSecret(tenant.keyVaultSecretName, cert.pem, 'application/x-pem-file', cert.notAfter);
    } else {
      const secret = probeApp.secrets[0]!;
      this.putSecret(tenant.keyVaultSecretName, secret.value, 'text/plain', secret.expiresAt);
    }
  }
}
