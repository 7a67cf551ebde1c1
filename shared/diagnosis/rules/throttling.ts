// Load: throttling and server-busy answers.
import { DOCS, FIXES } from '../fixes';
import { code, has, type Rule } from './rule-kit';

export const THROTTLING_RULES: readonly Rule[] = [
  {
    id: 'throttled',
    cause: 'throttled',
    reads:
      '429 with Retry-After; ApplicationThrottled / TooManyRequests / activityLimitReached; ErrorServerBusy with BackOffMilliseconds; ErrorExceededConnectionCount; 503',
    match: (s) => {
      const decisive =
        s.status === 429 ||
        code(
          s,
          'ApplicationThrottled',
          'TooManyRequests',
          'activityLimitReached',
          'throttledRequest',
          'ErrorServerBusy',
          'ErrorExceededConnectionCount',
          'ErrorExceededSubscriptionCount',
          'ErrorTooManyObjectsOpened',
        ) ||
        has(
          s,
          /MailboxConcurrency|Application is over its|server cannot service this request right now|exceeded the available concurrent connections|(?:request|call|application|client)s? (?:(?:has|have|was|were|is|are|being|been) )+throttled|throttling (?:limit|policy|budget)/i,
        );
      if (decisive)
        return {
          confidence: 'high',
          because: [
            s.retryAfterSeconds !== undefined
              ? `Retry-After ${s.retryAfterSeconds} s`
              : s.backOffMilliseconds !== undefined
                ? `BackOffMilliseconds ${s.backOffMilliseconds}`
                : '',
          ].filter(Boolean),
        };
      if (code(s, 'MailboxInfoStale')) return null;
      if (s.status === 503 || code(s, 'serviceNotAvailable'))
        return {
          confidence: 'medium',
          because: s.retryAfterSeconds !== undefined ? [`Retry-After ${s.retryAfterSeconds} s`] : [],
        };
      // Exchange lets long EWS operations on a spent throttling budget run into the client's timeout.
      if (s.endpoint === 'ews' && s.status === null && has(s, /operation has timed out|timed out/i))
        return { confidence: 'low', because: [] };
      return null;
    },
    summary: (_s, m) =>
      m.confidence === 'low'
        ? "The call timed out: on long EWS operations (copying or moving many items) this is most often Exchange's throttling slowing the app once its budget is spent; pause and resume in smaller batches."
        : 'The service is throttling this app (or is too busy) and asked it to back off.',
    fix: () => FIXES.throttled(),
    docs: [DOCS.graphThrottling, DOCS.ewsThrottling],
  },
];
