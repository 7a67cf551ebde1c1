// The PowerShell that merges the apps a tenant still needs into its EwsAllowedAppIDs: printed for a person to run, never run by us.

/** What the script needs of a fleet tenant (FleetTenant in ./fleet has it all). */
export interface MergeScriptTenant {
  tenantId: string;
  directoryId: string | null;
  name: string;
  checkedAt: string;
  ewsEnabled?: boolean | null;
  apps: { appId: string; name: string | null; calls: number | null }[];
  drift: { missing: string[]; stale: string[] };
}

/** A value inside single quotes in PowerShell: a quote is doubled; the text of a comment loses line breaks. */
const quoted = (value: string) => `'${value.replace(/'/g, "''")}'`;
const commentText = (value: string) => value.replace(/\p{Cc}+/gu, ' ');

/**
 * Each write of EwsAllowedAppIDs replaces the whole list (docs/reference, section 1.4), so the script reads the list as
 * it is when it runs, adds the ids the tenant needs, writes the union, and reads it back. Ids are compared lower-case,
 * so neither their case nor their order matters; an id already listed is never dropped, stale ones included.
 */
export function allowListMergeScript(tenant: MergeScriptTenant, generatedAt: string): string | null {
  if (tenant.drift.missing.length === 0) return null;
  const named = (appId: string) => {
    const app = tenant.apps.find((a) => a.appId === appId);
    return `${appId}${app?.name ? ` ${commentText(app.name)}` : ''}${app?.calls !== null && app?.calls !== undefined ? `, ${app.calls.toLocaleString('en-US')} calls` : ''}`;
  };
  const lines = [
    `# tenant-health: add the apps still calling EWS to EwsAllowedAppIDs in ${commentText(tenant.name)} (${tenant.tenantId}).`,
    `# From the check of ${tenant.checkedAt}, written ${generatedAt}. Review it, then run it in Exchange Online PowerShell`,
    '# (module 3.0 or later) as an Exchange administrator. It only adds: every id listed today stays listed.',
    ...(tenant.ewsEnabled === true
      ? []
      : [
          `# EwsEnabled is ${tenant.ewsEnabled === false ? 'False: all EWS is blocked whatever the list says' : 'not set: the list is ignored until EwsEnabled is True'}.`,
          '# The list takes effect only with EwsEnabled True (Set-OrganizationConfig -EwsEnabled $true), which this script',
          '# does not change: decide that yourself.',
        ]),
    ...(tenant.drift.stale.length
      ? [
          '# Listed but not seen calling EWS (stale): remove them by hand once you are sure nothing needs them:',
          ...tenant.drift.stale.map((id) => `#   ${named(id)}`),
        ]
      : []),
    ...(tenant.directoryId
      ? [
          `if (-not (Get-ConnectionInformation | Where-Object { $_.TenantID -eq ${quoted(tenant.directoryId)} })) { throw ${quoted(`Connect-ExchangeOnline to ${commentText(tenant.name)} (${tenant.directoryId}) first`)} }`,
        ]
      : [`# Connect-ExchangeOnline to ${commentText(tenant.name)} first: its directory id is not known to check it.`]),
    "function Read-EwsAllowedAppIds { @(([string](Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy).EwsAllowedAppIDs) -split '[,;\\s]+' | ForEach-Object { $_.Trim().ToLowerInvariant() } | Where-Object { $_ }) }",
    '# Calling EWS and not listed:',
    ...tenant.drift.missing.map((id) => `#   ${named(id)}`),
    `$required = @(${tenant.drift.missing.map((id) => quoted(id.toLowerCase())).join(', ')})`,
    '$before = @(Read-EwsAllowedAppIds)',
    '$merged = @($before + $required | Sort-Object -Unique)',
    "Set-OrganizationConfig -EwsAllowedAppIDs ($merged -join ',')",
    '$after = @(Read-EwsAllowedAppIds)',
    '$missing = @($merged | Where-Object { $after -notcontains $_ })',
    'if ($missing.Count -gt 0) { throw "EwsAllowedAppIDs lacks $($missing -join \', \') after the change: read it again before retrying" }',
    '"EwsAllowedAppIDs lists $($after.Count) apps, $($before.Count) before; Exchange applies the change within 24 hours"',
  ];
  return `${lines.join('\n')}\n`;
}
