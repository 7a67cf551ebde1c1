// A stand-in for Exchange Online PowerShell that runs our allow-list merge script line by line and records every cmdlet call.
// PowerShell cannot be installed on these machines, so each line shape the script uses is given PowerShell's own
// semantics here (case-insensitive -notcontains and Sort-Object -Unique, regex -split, [string] of $null is ''), and a
// line of any other shape fails the run rather than being skipped.

export interface ExchangeTenantFake {
  /** The directory id Get-ConnectionInformation reports. */
  connectedTenantId: string;
  /** EwsAllowedAppIDs as Exchange stores it: one comma-separated string, or null when not set. */
  ewsAllowedAppIds: string | null;
  /** A tenant that accepts the write but keeps the old value (a write that did not stick). */
  ignoresWrites?: boolean;
}

export interface FakeRun {
  calls: { cmdlet: string; parameters: Record<string, unknown> }[];
  output: string[];
  /** The message of the terminating error, when the script threw. */
  threw?: string;
}

type Value = string[];

export function runMergeScript(script: string, tenant: ExchangeTenantFake): FakeRun {
  const run: FakeRun = { calls: [], output: [] };
  const vars = new Map<string, Value>();
  let readList: (() => Value) | null = null;
  const get = (name: string) => {
    const value = vars.get(name.toLowerCase());
    if (!value) throw new Error(`fake: $${name} is used before it is set`);
    return value;
  };
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const expand = (text: string) =>
    text
      .replace(/\$\((\$\w+) -join '([^']*)'\)/g, (_, v: string, sep: string) => get(v.slice(1)).join(sep))
      .replace(/\$\((\$\w+)\.Count\)/g, (_, v: string) => String(get(v.slice(1)).length));
  const lines = script.split('\n');
  try {
    for (const [index, raw] of lines.entries()) {
      const line = raw.trim();
      let m: RegExpExecArray | null;
      if (line === '' || line.startsWith('#')) continue;
      if (
        (m =
          /^if \(-not \(Get-ConnectionInformation \| Where-Object \{ \$_\.TenantID -eq '([^']+)' \}\)\) \{ throw '((?:[^']|'')*)' \}$/.exec(
            line,
          ))
      ) {
        run.calls.push({ cmdlet: 'Get-ConnectionInformation', parameters: {} });
        if (!same(tenant.connectedTenantId, m[1]!)) throw new ScriptError(m[2]!.replace(/''/g, "'"));
      } else if (
        (m =
          /^function (\S+) \{ @\(\(\[string\]\(Get-OrganizationConfig( -RetrieveEwsOperationAccessPolicy)?\)\.EwsAllowedAppIDs\) -split '([^']+)' \| ForEach-Object \{ \$_\.Trim\(\)\.ToLowerInvariant\(\) \} \| Where-Object \{ \$_ \}\) \}$/.exec(
            line,
          ))
      ) {
        const [, name, retrieve, pattern] = m;
        readList = () => {
          run.calls.push({
            cmdlet: 'Get-OrganizationConfig',
            parameters: retrieve ? { RetrieveEwsOperationAccessPolicy: true } : {},
          });
          // Without the switch Exchange leaves EwsAllowedAppIDs out of the answer.
          const stored = retrieve ? (tenant.ewsAllowedAppIds ?? '') : '';
          return stored
            .split(new RegExp(pattern!))
            .map((id) => id.trim().toLowerCase())
            .filter(Boolean);
        };
        vars.set(`function:${name!.toLowerCase()}`, []);
      } else if ((m = /^\$(\w+) = @\(((?:'[^']*'(?:, )?)*)\)$/.exec(line))) {
        vars.set(
          m[1]!.toLowerCase(),
          [...m[2]!.matchAll(/'([^']*)'/g)].map((x) => x[1]!),
        );
      } else if ((m = /^\$(\w+) = @\((\S+)\)$/.exec(line)) && vars.has(`function:${m[2]!.toLowerCase()}`)) {
        vars.set(m[1]!.toLowerCase(), readList!());
      } else if ((m = /^\$(\w+) = @\(\$(\w+) \+ \$(\w+) \| Sort-Object -Unique\)$/.exec(line))) {
        const all = [...get(m[2]!), ...get(m[3]!)].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
        vars.set(
          m[1]!.toLowerCase(),
          all.filter((v, i) => i === 0 || !same(v, all[i - 1]!)),
        );
      } else if ((m = /^Set-OrganizationConfig -EwsAllowedAppIDs \(\$(\w+) -join '([^']*)'\)$/.exec(line))) {
        const value = get(m[1]!).join(m[2]);
        run.calls.push({ cmdlet: 'Set-OrganizationConfig', parameters: { EwsAllowedAppIDs: value } });
        if (!tenant.ignoresWrites) tenant.ewsAllowedAppIds = value;
      } else if ((m = /^\$(\w+) = @\(\$(\w+) \| Where-Object \{ \$(\w+) -notcontains \$_ \}\)$/.exec(line))) {
        const other = get(m[3]!);
        vars.set(
          m[1]!.toLowerCase(),
          get(m[2]!).filter((v) => !other.some((o) => same(o, v))),
        );
      } else if ((m = /^if \(\$(\w+)\.Count -gt 0\) \{ throw "([^"]*)" \}$/.exec(line))) {
        if (get(m[1]!).length > 0) throw new ScriptError(expand(m[2]!));
      } else if ((m = /^"([^"]*)"$/.exec(line))) {
        run.output.push(expand(m[1]!));
      } else {
        throw new Error(`fake: line ${index + 1} is not a shape this fake knows: ${line}`);
      }
    }
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    run.threw = error.message;
  }
  return run;
}

/** A `throw` in the script: the run stops there, as PowerShell's terminating error stops it. */
class ScriptError extends Error {}
