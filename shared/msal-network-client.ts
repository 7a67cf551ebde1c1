// MSAL's networkClient over undici, so token requests use the injected dispatcher like every other call.
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { request, type Dispatcher } from 'undici';
import { flattenHeaders } from './http';

const DEFAULT_TIMEOUT_MS = 30_000;

/** What one token-endpoint exchange looked like, for evidence: status, headers and the parsed body. */
export type NetworkObserver = (exchange: { url: string; status: number; headers: Record<string, string>; body: unknown; ms: number }) => void;

export class UndiciNetworkClient implements INetworkModule {
  constructor(private readonly dispatcher: Dispatcher, private readonly timeoutMs = DEFAULT_TIMEOUT_MS, private readonly observe?: NetworkObserver) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(method: 'GET' | 'POST', url: string, options: NetworkRequestOptions | undefined, timeout = this.timeoutMs): Promise<NetworkResponse<T>> {
    const started = performance.now();
    const response = await request(url, {
      method,
      headers: options?.headers,
      body: method === 'POST' ? options?.body : undefined,
      dispatcher: this.dispatcher,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const text = await response.body.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // MSAL reports a non-JSON answer itself; pass the text on.
    }
    const headers = flattenHeaders(response.headers);
    this.observe?.({ url, status: response.statusCode, headers, body, ms: Math.round(performance.now() - started) });
    return { status: response.statusCode, headers, body: body as T };
  }
}
