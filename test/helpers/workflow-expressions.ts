// A small evaluator of Logic Apps workflow expressions (@expr and @{expr} in strings), for the functions our sample uses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Value = unknown;

interface Scope {
  triggerBody: Value;
  parameters: Record<string, Value>;
  outputs?: Record<string, Value>;
}

/** A value as an interpolation writes it: nothing for null, JSON for objects. */
const text = (value: Value): string =>
  value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);

const FUNCTIONS: Record<string, (args: Value[], scope: Scope) => Value> = {
  triggerBody: (_, scope) => scope.triggerBody,
  parameters: ([name], scope) => {
    if (!(String(name) in scope.parameters)) throw new Error(`parameters('${String(name)}') is not defined`);
    return scope.parameters[String(name)];
  },
  outputs: ([name], scope) => scope.outputs?.[String(name)],
  if: ([test, yes, no]) => (test === true ? yes : no),
  equals: ([a, b]) => a === b,
  or: (args) => args.some((a) => a === true),
  and: (args) => args.every((a) => a === true),
  not: ([a]) => a !== true,
  empty: ([a]) =>
    a === null ||
    a === undefined ||
    a === '' ||
    (Array.isArray(a) && a.length === 0) ||
    (typeof a === 'object' && Object.keys(a).length === 0),
  coalesce: (args) => args.find((a) => a !== null && a !== undefined) ?? null,
  concat: (args) => args.map(text).join(''),
  join: ([list, separator]) => {
    if (!Array.isArray(list)) throw new Error('join() of something that is not an array');
    return list.join(String(separator));
  },
  startsWith: ([text, prefix]) => String(text).toLowerCase().startsWith(String(prefix).toLowerCase()),
  decodeUriComponent: ([text]) => decodeURIComponent(String(text)),
  encodeUriComponent: ([text]) => encodeURIComponent(String(text)),
  encodeURIComponent: ([text]) => encodeURIComponent(String(text)),
  string: ([value]) => text(value),
};

/** Parses and evaluates one expression (the text after @, or inside @{...}). */
export function evaluateExpression(source: string, scope: Scope): Value {
  let at = 0;
  const space = () => {
    while (/\s/.test(source[at] ?? '')) at++;
  };
  const fail = (why: string): never => {
    throw new Error(`${why} at ${at} in ${source}`);
  };
  const literal = (): string => {
    let read = '';
    at++;
    for (;;) {
      if (at >= source.length) fail('unterminated string');
      if (source[at] === "'" && source[at + 1] === "'") {
        read += "'";
        at += 2;
      } else if (source[at] === "'") {
        at++;
        return read;
      } else read += source[at++];
    }
  };
  const term = (): Value => {
    space();
    let value: Value;
    if (source[at] === "'") value = literal();
    else if (/[0-9-]/.test(source[at] ?? '')) {
      const number = /^-?\d+(\.\d+)?/.exec(source.slice(at))![0];
      at += number.length;
      value = Number(number);
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(at))?.[0] ?? fail('expected a name');
      at += name.length;
      if (name === 'true' || name === 'false') value = name === 'true';
      else if (name === 'null') value = null;
      else {
        const fn = FUNCTIONS[name] ?? fail(`unknown function ${name}`);
        space();
        if (source[at++] !== '(') fail('expected (');
        const args: Value[] = [];
        space();
        if (source[at] === ')') at++;
        else
          for (;;) {
            args.push(term());
            space();
            const next = source[at++];
            if (next === ')') break;
            if (next !== ',') fail('expected , or )');
          }
        value = fn(args, scope);
      }
    }
    // Member access: ?['name'] returns null for what is absent; ['name'] requires it.
    for (;;) {
      space();
      const safe = source[at] === '?';
      if (source[at + (safe ? 1 : 0)] !== '[') break;
      at += safe ? 2 : 1;
      space();
      const key = source[at] === "'" ? literal() : term();
      space();
      if (source[at++] !== ']') fail('expected ]');
      const holder = value as Record<string, Value> | null | undefined;
      if (holder === null || holder === undefined) {
        if (!safe) fail(`['${String(key)}'] of null`);
        value = null;
      } else value = holder[String(key)] ?? (safe ? null : fail(`no property ${String(key)}`));
    }
    return value;
  };
  const value = term();
  space();
  if (at !== source.length) fail('trailing text');
  return value;
}

/** A workflow value with every expression in it evaluated: "@expr" gives a typed value, "@{expr}" interpolates. */
export function evaluateWorkflowValue(input: Value, scope: Scope): Value {
  if (Array.isArray(input)) return input.map((v) => evaluateWorkflowValue(v, scope));
  if (input && typeof input === 'object')
    return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, evaluateWorkflowValue(v, scope)]));
  if (typeof input !== 'string') return input;
  if (!input.startsWith('@')) return input.includes('@{') ? interpolate(input, scope) : input;
  if (input.startsWith('@@')) return input.slice(1);
  return input.startsWith('@{') ? interpolate(input, scope) : evaluateExpression(input.slice(1), scope);
}

/** Where the } that closes the { at `open` is, skipping quoted text. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "'") {
      i++;
      while (i < text.length && !(text[i] === "'" && text[i + 1] !== "'")) i += text[i] === "'" ? 2 : 1;
    } else if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  throw new Error(`unclosed @{ in ${text}`);
}

function interpolate(source: string, scope: Scope): string {
  let out = '';
  let at = 0;
  for (let start = source.indexOf('@{'); start !== -1; start = source.indexOf('@{', at)) {
    const end = closingBrace(source, start + 1);
    out += source.slice(at, start);
    const value = evaluateExpression(source.slice(start + 2, end), scope);
    out += text(value);
    at = end + 1;
  }
  return out + source.slice(at);
}

/** The sample workflow (logic-app/), and the Teams card it composes for a payload, as the Logic App would. */
export const ALERT_WORKFLOW = JSON.parse(
  readFileSync(join(__dirname, '../../logic-app/tenant-health-alerts.workflow.json'), 'utf8'),
) as {
  definition: { triggers: Record<string, any>; actions: Record<string, any>; parameters: Record<string, any> };
  parameters: Record<string, any>;
};

export const CARD_BASE_URL = 'https://tenant-health-demo.azurewebsites.net';

export function teamsCardFor(payload: unknown): Record<string, any> {
  return evaluateWorkflowValue(ALERT_WORKFLOW.definition.actions.Compose_Teams_card.inputs, {
    triggerBody: JSON.parse(JSON.stringify(payload)),
    parameters: { statusBaseUrl: CARD_BASE_URL },
  }) as Record<string, any>;
}
