// MSAL's networkClient over undici, so token requests use the injected dispatcher like every other call, bounded alike.
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { request, type Dispatcher } from 'undici';
import { DEFAULT_LIMITS, flattenHeaders, readCapped, type HttpLimits } from './http';

/** What one token-endpoint exchange looked like, for evidence: status, headers and the parsed body. */
export type NetworkObserver = (exchange: {
  url: string;
  /** The scope the request asked for, so that a client's parallel requests are told apart. */
  scope: string | null;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  ms: number;
}) => void;

export class UndiciNetworkClient implements INetworkModule {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly limits: HttpLimits = DEFAULT_LIMITS,
    private readonly observe?: NetworkObserver,
    /** The deadline of the check now asking for a token, if any. */
    private readonly deadline: () => AbortSignal | undefined = () => undefined,
  ) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions | undefined,
    timeout = this.limits.timeoutMs,
  ): Promise<NetworkResponse<T>> {
    const started = performance.now();
    const whole = AbortSignal.timeout(timeout * 2);
    const deadline = this.deadline();
    const response = await request(url, {
      method,
      headers: options?.headers,
      body: method === 'POST' ? options?.body : undefined,
      dispatcher: this.dispatcher,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: deadline ? AbortSignal.any([deadline, whole]) : whole,
    });
    const { text, truncated } = await readCapped(response.body, this.limits.maxBodyBytes);
    // A token answer cut at the cap cannot be parsed; MSAL reports it as the unreadable answer it is.
    let body: unknown = truncated ? `${text.slice(0, 4096)}…[cut at ${this.limits.maxBodyBytes} bytes]` : text;
    if (!truncated) {
      try {
        body = JSON.parse(text);
      } catch {
        // MSAL reports a non-JSON answer itself; pass the text on.
      }
    }
    const headers = flattenHeaders(response.headers);
    const scope = method === 'POST' && options?.body ? new URLSearchParams(options.body).get('scope') : null;
    this.observe?.({
      url,
      scope,
      status: response.statusCode,
      headers,
      body,
      ms: Math.round(performance.now() - started),
    });
    return { status: response.statusCode, headers, body: body as T };
  }
}
