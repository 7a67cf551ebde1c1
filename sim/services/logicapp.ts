// Simulated Logic App HTTP request trigger: checks the SAS signature in the URL, records what it receives, answers 202.
// Shape: learn.microsoft.com/azure/connectors/connectors-native-reqres (trigger URL with api-version, sp, sv, sig).
import { randomUUID } from 'node:crypto';
import { empty, json, type SimRequest, type SimResponse } from '../http-kit';
import type { SimWorld } from '../world';

export const LOGIC_APP_WORKFLOW_ID = '2f6b7a8c9d0e4f1a8b2c3d4e5f6a7b8c';

export function logicAppTriggerPath(signature: string): string {
  return `/workflows/${LOGIC_APP_WORKFLOW_ID}/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${signature}`;
}

export function handleLogicApp(req: SimRequest, world: SimWorld, signature: string): SimResponse {
  const match = /^\/workflows\/([0-9a-f]{32})\/triggers\/manual\/paths\/invoke$/.exec(req.path);
  if (!match || req.method !== 'POST')
    return json(404, {
      error: { code: 'WorkflowNotFound', message: `The workflow at '${req.path}' could not be found.` },
    });
  if (req.query.get('sig') !== signature) {
    return json(401, {
      error: {
        code: 'DirectApiInvalidAuthorizationSignature',
        message:
          "The provided authorization token is not valid. The request should have a valid authorization header with 'Bearer' scheme or a valid SAS token.",
      },
    });
  }
  const text = req.body.toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // The trigger accepts any body; a non-JSON one is kept as text.
  }
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
  );
  const runId = `08584${Date.now()}${Math.floor(world.random() * 1e9)}CU00`;
  // A run starts only when the trigger really answers; a gateway error in its place starts none.
  const answer = empty(202, {
    'x-ms-workflow-run-id': runId,
    'x-ms-correlation-id': randomUUID(),
    'x-ms-client-tracking-id': runId,
    'x-ms-trigger-history-name': runId,
    'x-ms-execution-location': 'westeurope',
    'x-ms-workflow-id': match[1]!,
    'x-ms-workflow-version': '08585000000000000000',
    'x-ms-workflow-name': 'tenant-health-alerts',
    'x-ms-tracking-id': randomUUID(),
    'x-ms-request-id': `westeurope:${randomUUID()}`,
  });
  answer.onServed = () =>
    world.logicAppInbox.push({
      receivedAt: new Date(world.now()).toISOString(),
      workflowId: match[1]!,
      runId,
      headers,
      body,
    });
  return answer;
}

/** What the trigger answers when it is throttled or unavailable (fault injection). */
export function logicAppUnavailable(status: number): SimResponse {
  if (status === 429) {
    return json(
      429,
      {
        error: {
          code: 'WorkflowRequestsThrottled',
          message: `Number of requests for workflow '${LOGIC_APP_WORKFLOW_ID}' exceeded the limit of '100' over time window of '00:05:00'.`,
        },
      },
      { 'retry-after': '30' },
    );
  }
  return json(
    status,
    { error: { code: 'ServiceUnavailable', message: 'The server did not respond in time. Please try again later.' } },
    status === 503 ? { 'retry-after': '30' } : {},
  );
}
