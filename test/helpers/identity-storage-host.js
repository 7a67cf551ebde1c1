// Runs the compiled Function App's handlers as a host would, in a process of its own, on storage reached with an
// identity only: the settings come from its environment (no connection string, no key), the SDKs sign in through the
// managed identity endpoint, and only calls to Microsoft are routed to the simulated cloud. Prints one JSON line.
'use strict';
const { readFileSync } = require('node:fs');
const { HttpRequest, InvocationContext } = require('@azure/functions');
const dist = (path) => require(`../../dist/${path}`);
const { readSettings } = dist('shared/core/settings');
const { createServices } = dist('shared/service/services');
const { createAgent } = dist('shared/clients/http');
const { storageAccount } = dist('shared/storage/account');
const { routeToSimulatedCloud } = dist('sim/route-to-sim');
const { useServiceDeps } = dist('functions/lib/runtime');
const schedule = dist('functions/schedule-checks');
const worker = dist('functions/check-tenant');
const summary = dist('functions/status-summary');
const detail = dist('functions/status-detail');
const badge = dist('functions/status-badge');

const logs = [];
const context = () =>
  new InvocationContext({
    invocationId: 'identity-storage',
    functionName: 'identity-storage',
    triggerMetadata: { dequeueCount: 1 },
    logHandler: (level, ...args) => logs.push(`${level} ${args.map(String).join(' ')}`),
  });
const get = (path, params = {}) => new HttpRequest({ method: 'GET', url: `http://localhost/api/${path}`, params });

async function main() {
  const { settings, problems } = readSettings();
  const agent = createAgent();
  const deps = createServices(settings, { dispatcher: routeToSimulatedCloud(process.env.SIM_BASE_URL, agent) });
  useServiceDeps(deps);
  const tenants = JSON.parse(readFileSync(process.env.TENANTS_FILE, 'utf8'));
  await deps.store.ensureTables();
  await deps.store.watch(tenants);
  await schedule.handler({ isPastDue: false }, context());
  const queue = storageAccount(settings.storageConnection).queue(settings.checkQueue);
  let delivered = 0;
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    if (receivedMessageItems.length === 0) break;
    for (const message of receivedMessageItems) {
      await worker.handler(JSON.parse(Buffer.from(message.messageText, 'base64').toString('utf8')), context());
      await queue.deleteMessage(message.messageId, message.popReceipt);
      delivered += 1;
    }
  }
  const first = tenants[0].tenantId;
  const answers = {
    summary: await summary.handler(get('status'), context()),
    detail: await detail.tenantHandler(get(`status/${first}`, { tenant: first }), context()),
    badge: await badge.handler(get(`status/${first}/badge`, { tenant: first }), context()),
  };
  await agent.close();
  process.stdout.write(
    `${JSON.stringify({
      problems,
      connection: settings.storageConnection,
      delivered,
      answers: Object.fromEntries(
        Object.entries(answers).map(([name, a]) => [name, { status: a.status ?? 200, body: a.jsonBody ?? a.body }]),
      ),
      logs,
    })}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(1);
});
