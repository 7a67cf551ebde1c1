// Which endpoints tenant-health may be pointed at (https hosts of Microsoft's clouds, loopback only for tests), and through which proxy.
import { CLOUDS } from './clouds';

/** The setting that lets KEY_VAULT_URL, a tenants file's keyVaultUrl and a trigger URL be http on loopback (tests, the demo). */
export const ALLOW_LOOPBACK_SETTING = 'TENANT_HEALTH_ALLOW_LOOPBACK';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Key Vault's DNS suffixes in every cloud we support (vault.azure.net, vault.usgovcloudapi.net, vault.azure.cn). */
const VAULT_SUFFIXES = [...new Set(Object.values(CLOUDS).map((cloud) => new URL(cloud.keyVault).host))];

const isIpLiteral = (host: string) => /^\d+(\.\d+){3}$/.test(host) || host.startsWith('[');
/** A host without the trailing dot DNS allows ("localhost." is localhost). */
const hostOf = (parsed: URL) => parsed.hostname.toLowerCase().replace(/\.$/, '');
const LOOPBACK_REFUSED = `is on loopback, which only tests may use (${ALLOW_LOOPBACK_SETTING}=true)`;

/** What is wrong with a vault URL, naming the rule; null when it is a Key Vault of one of our clouds (or allowed loopback). */
export function vaultUrlProblem(url: string, allowLoopback: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL (expected https://NAME.vault.azure.net)';
  }
  const onLoopback = LOOPBACK.has(hostOf(parsed));
  if (onLoopback && !allowLoopback) return LOOPBACK_REFUSED;
  const loopback = onLoopback && ['http:', 'https:'].includes(parsed.protocol);
  if (parsed.protocol !== 'https:' && !loopback)
    return `must be https, got ${parsed.protocol.replace(/[^a-z0-9+.-]/gi, '')}`;
  if (parsed.username || parsed.password || parsed.search || parsed.hash || !['', '/'].includes(parsed.pathname))
    return 'must be just the vault, https://NAME.vault.azure.net, with no path, query or user';
  if (loopback) return null;
  if (parsed.port) return 'must be just the vault, https://NAME.vault.azure.net, on the default port';
  const host = hostOf(parsed);
  if (!VAULT_SUFFIXES.some((suffix) => host.endsWith(`.${suffix}`) && host.length > suffix.length + 1))
    return `must be a Key Vault (a host under ${VAULT_SUFFIXES.join(', ')}), got ${host.slice(0, 100)}`;
  return null;
}

/** Whether a trigger URL's host is one a deployment may post to: a name, not loopback or an IP (unless allowed). */
export function webhookHostProblem(parsed: URL, allowLoopback: boolean): string | null {
  const onLoopback = LOOPBACK.has(hostOf(parsed));
  if (onLoopback && !allowLoopback) return LOOPBACK_REFUSED;
  if (onLoopback && ['http:', 'https:'].includes(parsed.protocol)) return null;
  if (parsed.protocol !== 'https:') return `must be an https URL, got ${parsed.protocol}//${parsed.host}`;
  if (isIpLiteral(hostOf(parsed))) return `must name a host, not the address ${hostOf(parsed)}`;
  return null;
}

/** The proxy settings in effect, as curl and undici read them: the lower-case name wins over the upper-case one. */
export function proxySettings(env: NodeJS.ProcessEnv) {
  const variable = (name: string) =>
    env[name.toLowerCase()] ? name.toLowerCase() : env[name.toUpperCase()] ? name.toUpperCase() : undefined;
  return (['http_proxy', 'https_proxy'] as const).flatMap((kind) => {
    const name = variable(kind);
    // "proxy.corp:8080" without a scheme means http://, as curl reads it.
    const raw = name ? env[name]!.trim() : undefined;
    return name && raw ? [{ kind, name, value: /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}` }] : [];
  });
}

/**
 * What is wrong with the proxy settings in effect, naming the variable and never echoing its value (it may hold a
 * password); undefined when they are usable or absent.
 */
export function proxyProblem(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const { name, value } of proxySettings(env)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return `${name} is not a proxy URL (expected http://proxy.example.com:8080)`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return `${name} must be an http:// or https:// proxy URL (expected http://proxy.example.com:8080)`;
  }
  return undefined;
}
