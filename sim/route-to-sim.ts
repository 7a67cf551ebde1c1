// An undici dispatcher that sends requests for Microsoft's hosts (every cloud) to the simulated cloud on loopback.
import { Agent, type Dispatcher } from 'undici';
import { CLOUDS } from '../shared/core/clouds';

/** Path prefix on the simulator for a Microsoft host, or undefined for hosts the simulator does not play. */
export function simPrefixFor(host: string): string | undefined {
  const h = host.toLowerCase().replace(/:443$/, '');
  for (const cloud of Object.values(CLOUDS)) {
    if (h === new URL(cloud.login).host) return '/login';
    if (h === new URL(cloud.graph).host) return '/graph';
    if (h === new URL(cloud.exchange).host) return '';
  }
  if (h === 'login.windows.net') return '/login';
  if (h === 'outlook.office.com') return '';
  if (/\.vault\.(azure\.net|usgovcloudapi\.net|azure\.cn)$/.test(h)) return '';
  if (/\.logic\.azure\.(com|us|cn)$/.test(h)) return '/logicapp';
  return undefined;
}

/** Wraps a dispatcher so that Microsoft's hosts reach the simulator at baseUrl; other hosts pass through unchanged. */
export function routeToSimulatedCloud(baseUrl: string, base: Dispatcher = new Agent()): Dispatcher {
  return base.compose((dispatch) => (options, handler) => {
    const origin = new URL(String(options.origin));
    const prefix = origin.protocol === 'https:' ? simPrefixFor(origin.host) : undefined;
    if (prefix === undefined) return dispatch(options, handler);
    return dispatch({ ...options, origin: baseUrl, path: `${prefix}${options.path}` }, handler);
  });
}
