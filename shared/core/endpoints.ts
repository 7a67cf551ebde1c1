// Which endpoints tenant-health may be pointed at: https hosts of Microsoft's clouds, loopback only when a setting says it is a test.
import { CLOUDS } from './clouds';

/** The setting that lets KEY_VAULT_URL, a tenants file's keyVaultUrl and a trigger URL be http on loopback (tests, the demo). */
export const ALLOW_LOOPBACK_SETTING = 'TENANT_HEALTH_ALLOW_LOOPBACK';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Key Vault's DNS suffixes in every cloud we support (vault.azure.net, vault.usgovcloudapi.net, vault.azure.cn). */
const VAULT_SUFFIXES = [...new Set(Object.values(CLOUDS).map((cloud) => new URL(cloud.keyVault).host))];

const isIpLiteral = (host: string) => /^\d+(\.\d+){3}$/.test(host) || host.startsWith('[');

/** What is wrong with a vault URL, naming the rule; null when it is a Key Vault of one of our clouds (or allowed loopback). */
export function vaultUrlProblem(url: string, allowLoopback: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL (expected https://NAME.vault.azure.net)';
  }
  const loopback = allowLoopback && LOOPBACK.has(parsed.hostname) && ['http:', 'https:'].includes(parsed.protocol);
  if (parsed.protocol !== 'https:' && !loopback)
    return `must be https, got ${parsed.protocol.replace(/[^a-z0-9+.-]/gi, '')}`;
  if (parsed.username || parsed.password || parsed.search || parsed.hash || !['', '/'].includes(parsed.pathname))
    return 'must be just the vault, https://NAME.vault.azure.net, with no path, query or user';
  if (loopback) return null;
  const host = parsed.hostname.toLowerCase();
  if (!VAULT_SUFFIXES.some((suffix) => host.endsWith(`.${suffix}`) && host.length > suffix.length + 1))
    return `must be a Key Vault (a host under ${VAULT_SUFFIXES.join(', ')}), got ${host.slice(0, 100)}`;
  return null;
}

/** Whether a trigger URL's host is one a deployment may post to: a name, not loopback or an IP (unless allowed). */
export function webhookHostProblem(parsed: URL, allowLoopback: boolean): string | null {
  if (allowLoopback && LOOPBACK.has(parsed.hostname) && ['http:', 'https:'].includes(parsed.protocol)) return null;
  if (parsed.protocol !== 'https:') return `must be an https URL, got ${parsed.protocol}//${parsed.host}`;
  if (LOOPBACK.has(parsed.hostname) || isIpLiteral(parsed.hostname))
    return `must name a host, not ${parsed.hostname} (set ${ALLOW_LOOPBACK_SETTING}=true only for tests)`;
  return null;
}
