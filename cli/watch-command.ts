// `tenant-health watch`: the apps in tenants the Function App's timer checks (the WatchedTenants table) of a deployment.
import { TableResultStore } from '../shared/storage/result-store';
import { isTenantId } from '../shared/core/tenant-id';
import type { TenantDefinition } from '../shared/core/tenants';
import { entryKey } from '../shared/core/entry';
import { appOption, openStorage, parseCommand, printable, STORAGE_OPTION, UsageError, type CommandSpec } from './args';
import { loadTenantsFile } from './check-command';
import type { Io } from './io';

export const WATCH_COMMAND = {
  name: 'watch',
  summary: "set the tenants (and their apps) the Function App's timer checks",
  usage: [
    'watch --config FILE [--storage CONN] [--json]',
    'watch --list [--storage CONN] [--json]',
    'watch --remove TENANT [--app CLIENT_ID] [--storage CONN] [--json]',
  ],
  options: {
    config: {
      type: 'string',
      value: 'FILE',
      help: 'watch the tenants in this tenants file (added or updated; none removed)',
    },
    list: { type: 'boolean', default: false, help: 'list what is watched' },
    remove: { type: 'string', value: 'TENANT', help: 'stop watching a tenant (its GUID or a verified domain)' },
    app: { type: 'string', value: 'CLIENT_ID', help: 'with --remove: only this app of the tenant' },
    storage: STORAGE_OPTION,
    json: { type: 'boolean', default: false, help: 'print JSON on stdout' },
  },
  examples: ['tenant-health watch --config tenants.json', 'tenant-health watch --remove contoso.onmicrosoft.com'],
} satisfies CommandSpec;

export async function watchCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommand(WATCH_COMMAND, args);
  const modes = [values.config !== undefined, values.remove !== undefined, values.list].filter(Boolean).length;
  if (modes !== 1)
    throw new UsageError(
      'give exactly one of --config FILE (watch these tenants), --list, or --remove TENANT [--app CLIENT_ID]',
    );
  const app = appOption(values.app, values.remove !== undefined, '--remove TENANT', 'removes');
  if (values.remove !== undefined && !isTenantId(values.remove))
    throw new UsageError(`--remove: "${printable(values.remove)}" is not a tenant id (a GUID or a domain)`);
  const store = openStorage(values.storage, (connection) => TableResultStore.in(connection));
  await store.ensureTables();

  if (values.remove !== undefined) {
    const requested: string = values.remove;
    // A tenant may be named by its GUID or any verified domain its last check read, whichever id it is watched by.
    const tenantId = (await store.resolveTenant(requested)) ?? requested.toLowerCase();
    const removed = await store.unwatch(tenantId, app);
    if (removed.length === 0)
      throw new UsageError(
        app
          ? `--remove: app ${app} is not watched in tenant ${requested}`
          : `--remove: tenant ${requested} is not watched`,
      );
    if (values.json) io.stdout(JSON.stringify({ removed: tenantId, apps: removed }));
    else
      io.stdout(
        `no longer watching ${removed.length === 1 ? `app ${removed[0]}` : `${removed.length} apps`} in ${tenantId}; latest statuses are removed and history ages out`,
      );
    return 0;
  }

  if (values.config !== undefined) {
    const { tenants } = await loadTenantsFile(values.config, (line) => io.stderr(`watch: ${line}`));
    const before = new Set((await store.watched()).tenants.map(entryKey));
    await store.watch(tenants);
    const added = tenants.filter((t) => !before.has(entryKey(t))).length;
    const tenantCount = new Set(tenants.map((t) => t.tenantId.toLowerCase())).size;
    if (values.json) io.stdout(JSON.stringify({ watched: tenants.map(brief), added, updated: tenants.length - added }));
    else
      io.stdout(
        `watching ${tenants.length} apps in ${tenantCount} tenant${tenantCount === 1 ? '' : 's'} from ${values.config}: ${added} added, ${tenants.length - added} updated. The Function App reads their credentials from its KEY_VAULT_URL.`,
      );
    return 0;
  }

  const { tenants, invalid } = await store.watched();
  if (values.json) io.stdout(JSON.stringify({ watched: tenants.map(brief), invalid }));
  else {
    const rows = tenants.map(
      (t) =>
        `${t.name.padEnd(30)} ${t.tenantId.padEnd(38)} ${t.clientId.padEnd(38)} ${t.credential.type.padEnd(12)} ${t.canaries.length} canaries`,
    );
    io.stdout(
      [`${tenants.length} watched apps`, ...rows, ...invalid.map((i) => `INVALID ${i.tenantId}: ${i.problem}`)].join(
        '\n',
      ),
    );
  }
  return 0;
}

const brief = (t: TenantDefinition) => ({
  tenantId: t.tenantId,
  name: t.name,
  clientId: t.clientId,
  credential: t.credential.type,
  canaries: t.canaries.length,
});
