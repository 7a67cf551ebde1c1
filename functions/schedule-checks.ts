// Timer (CHECK_SCHEDULE, every 15 minutes by default): one queue message per watched tenant, so workers scale out.
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { scheduleCycle } from '../shared/service/check-service';
import { runtime, settingsAtLoad } from './lib/runtime';

export async function handler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { deps, problems } = await runtime();
  for (const problem of problems) context.warn(`configuration: ${problem}`);
  if (!deps) throw new Error(`not configured: ${problems.join('; ')}`);
  const cycle = await scheduleCycle(deps);
  for (const bad of cycle.invalid) context.error(`watched tenant ${bad.tenantId} skipped: ${bad.problem}`);
  context.log(`cycle ${cycle.cycleId}: ${cycle.enqueued} tenant checks queued`);
}

app.timer('scheduleChecks', { schedule: settingsAtLoad().checkSchedule, runOnStartup: false, handler });
