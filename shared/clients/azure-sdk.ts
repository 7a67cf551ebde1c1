// Timeouts, body caps and retries for the Azure SDK clients (Key Vault, managed identity, Table storage, queues).
import { RestError, type PipelinePolicy } from '@azure/core-rest-pipeline';
import type { HttpLimits } from './http';

/** Per-try limits for our own infrastructure: a storage or vault call that hangs must not hold a worker for minutes. */
export const INFRASTRUCTURE_LIMITS: HttpLimits = { timeoutMs: 10_000, maxBodyBytes: 4 * 1024 * 1024 };

/** Sets every try's timeout and refuses an answer larger than the cap, by its declared length or by what arrived. */
export function boundedPolicy(limits: HttpLimits): PipelinePolicy {
  return {
    name: 'tenantHealthBounds',
    async sendRequest(request, next) {
      request.timeout = limits.timeoutMs;
      const response = await next(request);
      const declared = Number(response.headers.get('content-length') ?? 0);
      const received = response.bodyAsText?.length ?? 0;
      if (declared > limits.maxBodyBytes || received > limits.maxBodyBytes) {
        throw new RestError(
          `the answer of ${Math.max(declared, received)} bytes is larger than the ${limits.maxBodyBytes}-byte cap`,
          { code: 'BodyTooLarge', statusCode: response.status, request, response },
        );
      }
      return response;
    },
  };
}

/** Options for @azure/core-client based clients (Key Vault, @azure/identity, Table storage). */
export const sdkClientOptions = (limits: HttpLimits = INFRASTRUCTURE_LIMITS) => ({
  additionalPolicies: [{ policy: boundedPolicy(limits), position: 'perRetry' as const }],
  retryOptions: { maxRetries: 2, retryDelayInMs: 500, maxRetryDelayInMs: 4_000 },
});

/** Options for @azure/storage-queue, whose pipeline takes a per-try timeout and a try count instead of policies. */
export const queueClientOptions = (limits: HttpLimits = INFRASTRUCTURE_LIMITS) => ({
  retryOptions: { maxTries: 3, tryTimeoutInMs: limits.timeoutMs, retryDelayInMs: 500, maxRetryDelayInMs: 4_000 },
});
