// Evaluates the ARM template expressions infra/azuredeploy.json uses, offline: parameters, variables, format and the
// resource functions, with reference() answering as the deployed resources would (endpoints, ids, the vault's URI).
import { createHash } from 'node:crypto';

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
export interface Template {
  parameters: Record<string, { type: string; defaultValue?: Value; maxLength?: number }>;
  variables: Record<string, Value>;
  resources: { type: string; apiVersion: string; name: string; [key: string]: unknown }[];
  outputs: Record<string, { type: string; value: string }>;
}

const SUBSCRIPTION = '00000000-0000-0000-0000-00000000beef';
const GROUP = 'tenant-health-rg';
const LOCATION = 'westeurope';

/** A value where ARM wants text: objects and arrays there are a template error. */
const scalar = (v: Value | undefined): string => {
  if (v !== null && typeof v === 'object')
    throw new Error(`an object or array where text belongs: ${JSON.stringify(v)}`);
  return String(v);
};

/** A stable GUID from its inputs, as guid() is. */
const guid = (...parts: string[]) => {
  const h = createHash('sha1').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** A resource id's tail as ARM writes it: the provider, then each type segment followed by its name. */
export function typedPath(type: string, names: string[]): string {
  const [provider, ...types] = type.split('/');
  return `/providers/${provider}/${types.map((t, i) => `${t}/${names[i]}`).join('/')}`;
}

/** What reference() returns for a resource id, by its type: only the properties the template reads. */
function reference(id: string): Record<string, Value> {
  const name = id.split('/').pop()!;
  if (id.includes('Microsoft.Storage/storageAccounts'))
    return {
      primaryEndpoints: Object.fromEntries(
        ['blob', 'queue', 'table', 'file'].map((s) => [s, `https://${name}.${s}.core.windows.net/`]),
      ),
    };
  if (id.includes('Microsoft.ManagedIdentity'))
    return { clientId: guid('client', id), principalId: guid('principal', id) };
  if (id.includes('Microsoft.KeyVault/vaults')) return { vaultUri: `https://${name}.vault.azure.net/` };
  if (id.includes('Microsoft.Insights/components'))
    return {
      ConnectionString: `InstrumentationKey=${guid('ikey', id)};IngestionEndpoint=https://${LOCATION}-5.in.applicationinsights.azure.com/`,
    };
  if (id.includes('Microsoft.Web/sites')) return { defaultHostName: `${name}.azurewebsites.net` };
  if (id.includes('Microsoft.Logic/workflows')) return { identity: { principalId: guid('logic', id) } };
  throw new Error(`reference() of an unexpected resource: ${id}`);
}

export class ArmEvaluator {
  constructor(
    private readonly template: Template,
    private readonly parameters: Record<string, Value> = {},
  ) {}

  /** A template value with every "[expression]" in it evaluated. */
  value(input: unknown): Value {
    if (typeof input === 'string')
      return input.startsWith('[') && !input.startsWith('[[') ? this.expression(input.slice(1, -1)) : input;
    if (Array.isArray(input)) return input.map((v) => this.value(v));
    if (input && typeof input === 'object')
      return Object.fromEntries(Object.entries(input).map(([k, v]) => [scalar(this.value(k)), this.value(v)]));
    return input as Value;
  }

  expression(text: string): Value {
    let at = 0;
    const space = () => {
      while (text[at] === ' ') at += 1;
    };
    const parse = (): Value => {
      space();
      let result: Value;
      if (text[at] === "'") {
        let end = at + 1;
        let literal = '';
        for (;;) {
          if (text[end] === "'" && text[end + 1] === "'") {
            literal += "'";
            end += 2;
          } else if (text[end] === "'") break;
          else literal += text[end++];
        }
        at = end + 1;
        result = literal;
      } else if (/\d/.test(text[at]!)) {
        const digits = /^\d+/.exec(text.slice(at))![0];
        at += digits.length;
        result = Number(digits);
      } else {
        const name = /^\w+/.exec(text.slice(at))![0];
        at += name.length;
        space();
        const args: Value[] = [];
        if (text[at] !== '(') throw new Error(`expected ( after ${name} in ${text}`);
        at += 1;
        space();
        while (text[at] !== ')') {
          args.push(parse());
          space();
          if (text[at] === ',') at += 1;
        }
        at += 1;
        result = this.call(name, args);
      }
      while (text[at] === '.') {
        const property = /^\.(\w+)/.exec(text.slice(at))!;
        at += property[0].length;
        result = (result as Record<string, Value>)[property[1]!] ?? null;
      }
      return result;
    };
    return parse();
  }

  private call(name: string, args: Value[]): Value {
    const s = (i: number) => scalar(args[i]);
    switch (name) {
      case 'parameters': {
        const declared = this.template.parameters[s(0)];
        if (!declared) throw new Error(`no parameter ${s(0)}`);
        return s(0) in this.parameters ? this.parameters[s(0)]! : this.value(declared.defaultValue);
      }
      case 'variables':
        return this.value(this.template.variables[s(0)]);
      case 'format':
        return s(0).replace(/\{(\d+)\}/g, (_m, i: string) => scalar(args[Number(i) + 1]));
      case 'concat':
        return args.map(scalar).join('');
      case 'string':
        return scalar(args[0]);
      case 'not':
        return !args[0];
      case 'empty':
        return args[0] === '' || args[0] === null || (Array.isArray(args[0]) && args[0].length === 0);
      case 'uniqueString':
        return createHash('sha1').update(args.map(scalar).join('|')).digest('hex').replace(/\d/g, 'a').slice(0, 13);
      case 'guid':
        return guid(...args.map(scalar));
      case 'resourceGroup':
        return { id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}`, location: LOCATION };
      case 'subscription':
        return { subscriptionId: SUBSCRIPTION, tenantId: guid('tenant') };
      case 'resourceId':
        return `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}${typedPath(s(0), args.slice(1).map(scalar))}`;
      case 'subscriptionResourceId':
        return `/subscriptions/${SUBSCRIPTION}${typedPath(s(0), args.slice(1).map(scalar))}`;
      case 'extensionResourceId':
        return `${s(0)}${typedPath(s(1), args.slice(2).map(scalar))}`;
      case 'reference':
        return reference(s(0));
      case 'listCallbackUrl':
        return { value: `https://prod-00.${LOCATION}.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=k` };
      default:
        throw new Error(`the template uses ${name}(), which the test's evaluator does not know`);
    }
  }
}
