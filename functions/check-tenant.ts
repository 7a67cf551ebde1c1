// Queue worker (CHECK_QUEUE): checks one tenant and stores its result; poison messages keep the reason they failed.
import { app, type InvocationContext } from '@azure/functions';
import { describeDelivery } from '../shared/service/alert-service';
import { runQueuedCheck } from '../shared/service/check-service';
import { describeError } from '../shared/core/redact';
import { runtime, settingsAtLoad, storageConnectionSetting } from './lib/runtime';

export async function handler(message: unknown, context: InvocationContext): Promise<void> {
  const { deps, problems } = await runtime();
  if (!deps) throw new Error(`not configured: ${problems.join('; ')}`);
  const delivery = Number(context.triggerMetadata?.dequeueCount ?? 1);
  try {
    const done = await runQueuedCheck(message, delivery, deps);
    if (done.outcome === 'saved') {
      context.log(
        `${done.tenantId}: ${done.verdict}${done.alerts.notices.length ? `, ${done.alerts.notices.length} alert notice(s)` : ''}`,
      );
      for (const report of done.alerts.deliveries) {
        if (report.outcome === 'delivered') context.log(describeDelivery(report));
        else context.warn(describeDelivery(report));
      }
      if (done.alerts.deliveryError)
        context.warn(`alerts not sent yet, they wait in the outbox: ${done.alerts.deliveryError}`);
    } else if (done.outcome === 'skipped') context.warn(`${done.tenantId}: skipped, ${done.reason}`);
    else if (done.outcome === 'refused') context.error(`${done.tenantId}: result refused, ${done.reason}`);
    else context.error(`message sent to the poison queue: ${done.reason}`);
  } catch (error) {
    context.error(`delivery ${delivery} failed, the host will retry: ${describeError(error)}`);
    throw error;
  }
}

app.storageQueue('checkTenant', {
  queueName: settingsAtLoad().checkQueue,
  connection: storageConnectionSetting(),
  handler,
});
