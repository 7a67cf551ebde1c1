// Timer (ALERT_DELIVERY_SCHEDULE, every 2 minutes by default): sends alert notices still waiting in the outbox.
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { describeDelivery } from '../shared/service/alert-service';
import { deliverAlerts } from '../shared/service/check-service';
import { runtime, settingsAtLoad } from './lib/runtime';

export async function handler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { deps, problems } = await runtime();
  if (!deps) throw new Error(`not configured: ${problems.join('; ')}`);
  const reports = await deliverAlerts(deps);
  for (const report of reports) {
    const line = describeDelivery(report);
    if (report.outcome === 'delivered') context.log(line);
    else if (report.outcome === 'retry') context.warn(line);
    else context.error(line);
  }
}

app.timer('deliverAlerts', { schedule: settingsAtLoad().alerts.deliverySchedule, runOnStartup: false, handler });
