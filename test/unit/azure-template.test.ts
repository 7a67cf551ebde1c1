// infra/azuredeploy.json, checked offline: every setting the code reads is set and accepted by the code, no key or
// connection string with a key anywhere, every role the app needs assigned, API versions current, names within
// Azure's limits, and the alert workflow the same as logic-app/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSettings, SETTINGS } from '../../shared/core/settings';
import { ArmEvaluator, typedPath, type Template } from '../helpers/arm-expressions';

const ROOT = join(__dirname, '../..');
const text = readFileSync(join(ROOT, 'infra/azuredeploy.json'), 'utf8');
const template = JSON.parse(text) as Template;
const arm = new ArmEvaluator(template);
const resource = (type: string) => {
  const found = template.resources.filter((r) => r.type === type);
  expect(found).toHaveLength(1);
  return found[0]! as Record<string, any>;
};
const site = resource('Microsoft.Web/sites');
const appSettings = arm.value(site.properties.siteConfig.appSettings) as { name: string; value: string }[];
const env = Object.fromEntries(appSettings.map((s) => [s.name, s.value]));

test('every setting the code reads is set, except those something else stands in for', () => {
  const missing = SETTINGS.filter((s) => !s.optional && !(s.name in env)).map((s) => s.name);
  expect(missing).toEqual([]);
  for (const setting of SETTINGS.filter((s) => s.optional && !(s.name in env)))
    expect(`${setting.name}: ${setting.optional}`).toMatch(/: \S/);
});

test('the code accepts the settings as deployed: identity-based storage, the vault, alerts through the vault', () => {
  const { settings, problems } = readSettings(env);
  expect(problems).toEqual([]);
  expect(settings.storageConnection).toEqual(
    expect.objectContaining({ kind: 'identity', credential: 'managedidentity', clientId: env.AZURE_CLIENT_ID }),
  );
  expect(settings.keyVaultUrl).toMatch(/^https:\/\/th-kv-[a-z]+\.vault\.azure\.net\/$/);
  expect(settings.alerts.trigger).toEqual({ keyVaultSecret: 'alert-trigger-url' });
  // The host itself needs blob storage for its leases and the Flex deployment package.
  expect(env.AzureWebJobsStorage__blobServiceUri).toMatch(/^https:\/\/.*\.blob\.core\.windows\.net\/$/);
});

test('no account key, SAS or connection string with a key anywhere; local auth off everywhere', () => {
  expect(text).not.toMatch(/listKeys|listAccountSas|AccountKey|SharedAccess|sig=|DefaultEndpointsProtocol/i);
  expect(Object.keys(env)).not.toContain('AzureWebJobsStorage');
  expect(Object.keys(env).filter((name) => /CONNECTION|STORAGE$/i.test(name))).toEqual([
    'APPLICATIONINSIGHTS_CONNECTION_STRING',
  ]);
  // Application Insights' connection string holds an instrumentation key, which with local auth off authenticates nothing.
  expect(env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toMatch(/^ClientId=[0-9a-f-]{36};Authorization=AAD$/);
  expect(resource('Microsoft.Storage/storageAccounts').properties).toEqual(
    expect.objectContaining({ allowSharedKeyAccess: false, allowBlobPublicAccess: false, minimumTlsVersion: 'TLS1_2' }),
  );
  expect(resource('Microsoft.KeyVault/vaults').properties.enableRbacAuthorization).toBe(true);
  expect(resource('Microsoft.Insights/components').properties.DisableLocalAuth).toBe(true);
});

test('a Flex Consumption app on Node 22, running as the user-assigned identity, its deployment package read the same way', () => {
  expect(resource('Microsoft.Web/serverfarms').sku).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
  const config = site.properties.functionAppConfig;
  expect(config.runtime).toEqual({ name: 'node', version: '22' });
  expect(config.deployment.storage.authentication.type).toBe('UserAssignedIdentity');
  expect(Object.keys(site.identity.userAssignedIdentities)).toEqual([
    config.deployment.storage.authentication.userAssignedIdentityResourceId,
  ]);
  // Flex Consumption refuses these two as app settings: the runtime is functionAppConfig's.
  expect(Object.keys(env)).not.toEqual(expect.arrayContaining(['FUNCTIONS_WORKER_RUNTIME']));
  expect(Object.keys(env)).not.toContain('FUNCTIONS_EXTENSION_VERSION');
  expect(site.properties.httpsOnly).toBe(true);
});

/** Every role the app needs, where, for whom, and the built-in role's id as Microsoft publishes it. */
const BUILT_IN_ROLES = 'https://learn.microsoft.com/azure/role-based-access-control/built-in-roles';
const NEEDED_ROLES: {
  role: string;
  id: string;
  on: string;
  to: 'identity' | 'logicApp';
  why: string;
  source: string;
}[] = [
  {
    role: 'Storage Blob Data Owner',
    id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    on: 'Microsoft.Storage/storageAccounts',
    to: 'identity',
    why: 'the host and the Flex deployment package',
    source: `${BUILT_IN_ROLES}/storage#storage-blob-data-owner`,
  },
  {
    role: 'Storage Queue Data Contributor',
    id: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
    on: 'Microsoft.Storage/storageAccounts',
    to: 'identity',
    why: 'the check queue',
    source: `${BUILT_IN_ROLES}/storage#storage-queue-data-contributor`,
  },
  {
    role: 'Storage Table Data Contributor',
    id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
    on: 'Microsoft.Storage/storageAccounts',
    to: 'identity',
    why: 'results, history, alerts',
    source: `${BUILT_IN_ROLES}/storage#storage-table-data-contributor`,
  },
  {
    role: 'Key Vault Secrets User',
    id: '4633458b-17de-408a-b874-0445c86b69e6',
    on: 'Microsoft.KeyVault/vaults',
    to: 'identity',
    why: "the tenants' credentials and the trigger URL",
    source: `${BUILT_IN_ROLES}/security#key-vault-secrets-user`,
  },
  {
    role: 'Monitoring Metrics Publisher',
    id: '3913510d-42f4-4e42-8a64-420c390055eb',
    on: 'Microsoft.Insights/components',
    to: 'identity',
    why: 'telemetry with local auth off',
    source: `${BUILT_IN_ROLES}/monitor#monitoring-metrics-publisher`,
  },
  {
    role: 'Storage Table Data Contributor',
    id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
    on: 'Microsoft.Storage/storageAccounts',
    to: 'logicApp',
    why: "the workflow's idempotency table",
    source: `${BUILT_IN_ROLES}/storage#storage-table-data-contributor`,
  },
];

test.each(NEEDED_ROLES.map((r) => [r.role, r.to, r] as const))('%s is assigned to the %s', (_role, _to, needed) => {
  const assignments = template.resources
    .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments')
    .map((r) => arm.value(r) as Record<string, any>);
  const principal =
    needed.to === 'identity'
      ? (arm.expression(
          "reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('names').identity), '2023-01-31').principalId",
        ) as string)
      : (arm.expression(
          "reference(resourceId('Microsoft.Logic/workflows', variables('names').logicApp), '2019-05-01', 'full').identity.principalId",
        ) as string);
  const match = assignments.find(
    (a) =>
      a.properties.roleDefinitionId.endsWith(`/roleDefinitions/${needed.id}`) &&
      a.properties.principalId === principal &&
      a.scope.includes(`/providers/${needed.on}/`),
  );
  expect(match).toBeDefined();
  expect(match!.properties.principalType).toBe('ServicePrincipal');
  expect(needed.source).toMatch(/^https:\/\/learn\.microsoft\.com\//);
});

/**
 * The oldest API version accepted per resource type, as of 2026-12: within about three years, or the newest GA where
 * Microsoft has published none since (Logic Apps workflows, Application Insights components, API connections, role
 * assignments).
 */
const OLDEST_CURRENT: Record<string, string> = {
  'Microsoft.ManagedIdentity/userAssignedIdentities': '2023-01-31',
  'Microsoft.Storage/storageAccounts': '2023-05-01',
  'Microsoft.Storage/storageAccounts/blobServices/containers': '2023-05-01',
  'Microsoft.Storage/storageAccounts/tableServices/tables': '2023-05-01',
  'Microsoft.Authorization/roleAssignments': '2022-04-01',
  'Microsoft.KeyVault/vaults': '2023-07-01',
  'Microsoft.KeyVault/vaults/secrets': '2023-07-01',
  'Microsoft.OperationalInsights/workspaces': '2023-09-01',
  'Microsoft.Insights/components': '2020-02-02',
  'Microsoft.Web/serverfarms': '2024-04-01',
  'Microsoft.Web/sites': '2024-04-01',
  'Microsoft.Web/connections': '2016-06-01',
  'Microsoft.Logic/workflows': '2019-05-01',
};

test('every resource type is known and on a current API version, the same one wherever reference() reads it', () => {
  for (const r of template.resources) {
    expect(Object.keys(OLDEST_CURRENT)).toContain(r.type);
    expect(r.apiVersion >= OLDEST_CURRENT[r.type]!).toBe(true);
  }
  for (const [, type, version] of text.matchAll(/reference\(resourceId\('([^']+)'[^)]*\), '(\d{4}-\d{2}-\d{2})'/g)) {
    const declared = template.resources.find((r) => r.type === type);
    expect([type, version]).toEqual([type, declared?.apiVersion]);
  }
});

describe.each([
  ['the default prefix', {}],
  ['the longest prefix', { namePrefix: 'a'.repeat(template.parameters.namePrefix!.maxLength!) }],
])('names within Azure limits with %s', (_what, parameters) => {
  const names = new ArmEvaluator(template, parameters).value(template.variables.names) as Record<string, string>;
  test.each([
    ['storage', /^[a-z0-9]{3,24}$/],
    ['keyVault', /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/],
    ['functionApp', /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])$/],
    ['plan', /^[\w-]{1,60}$/],
    ['identity', /^[a-zA-Z0-9][\w-]{2,127}$/],
    ['workspace', /^[a-zA-Z0-9][a-zA-Z0-9-]{2,61}[a-zA-Z0-9]$/],
    ['insights', /^[^%&\\?/]{1,260}$/],
    ['logicApp', /^[\w().-]{1,80}$/],
    ['deploymentContainer', /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/],
    ['seenTable', /^[A-Za-z][A-Za-z0-9]{2,62}$/],
  ])('%s', (name, limit) => {
    expect(names[name]).toMatch(limit);
  });
});

test('the alert workflow is the one in logic-app/, its trigger URL stored in the vault the app reads it from', () => {
  const workflow = JSON.parse(readFileSync(join(ROOT, 'logic-app/tenant-health-alerts.workflow.json'), 'utf8'));
  expect(resource('Microsoft.Logic/workflows').properties.definition).toEqual(workflow.definition);
  const secret = arm.value(resource('Microsoft.KeyVault/vaults/secrets')) as Record<string, any>;
  expect(secret.name).toMatch(new RegExp(`/${env.ALERT_LOGIC_APP_URL_SECRET}$`));
  expect(resource('Microsoft.KeyVault/vaults/secrets').properties.value).toMatch(/^\[listCallbackUrl\(/);
});

test("the workflow is given every parameter it declares without a default, and its card links to this app's status routes", () => {
  const workflow = resource('Microsoft.Logic/workflows');
  const declared = workflow.properties.definition.parameters as Record<string, { defaultValue?: unknown }>;
  const given = arm.value(workflow.properties.parameters) as Record<string, { value: string }>;
  expect(Object.keys(declared).filter((name) => !('defaultValue' in declared[name]!) && !(name in given))).toEqual([]);
  expect(`${given.statusBaseUrl!.value}/api/status`).toBe(arm.value(template.outputs.statusUrl!.value));
});

test('no resource waits on itself through others (a cycle fails the deployment before it starts)', () => {
  const idOf = (r: Record<string, any>) => typedPath(r.type as string, (arm.value(r.name) as string).split('/'));
  const byId = new Map(template.resources.map((r) => [idOf(r), r as Record<string, any>]));
  const idFrom = (dependency: string) => {
    const text = arm.value(dependency) as string;
    const found = [...byId.keys()].find((id) => text.endsWith(id));
    expect([text, found !== undefined]).toEqual([text, true]);
    return found!;
  };
  const cycles: string[] = [];
  const visit = (id: string, path: string[]) => {
    if (path.includes(id)) return void cycles.push([...path.slice(path.indexOf(id)), id].join(' -> '));
    for (const next of (byId.get(id)?.dependsOn ?? []).map(idFrom)) visit(next, [...path, id]);
  };
  for (const id of byId.keys()) visit(id, []);
  expect(cycles).toEqual([]);
});

test('the deployment outputs the status URL', () => {
  expect(arm.value(template.outputs.statusUrl!.value)).toMatch(
    /^https:\/\/tenant-health-[a-z]+\.azurewebsites\.net\/api\/status$/,
  );
});
