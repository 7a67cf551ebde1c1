// Stands in for the Functions host in tests: registrations are recorded instead of sent to a host, and contexts log to a list.
import { InvocationContext } from '@azure/functions';

/** The module factory for jest.mock('@azure/functions', ...): the real package, with app registrations recorded. */
export function recordingFunctionsApp(): Record<string, unknown> {
  const actual = jest.requireActual<typeof import('@azure/functions')>('@azure/functions');
  const registered: Record<string, unknown> = {};
  const record = (kind: string) => (name: string, options: object) => {
    registered[name] = { kind, ...options };
  };
  return {
    ...actual,
    __registered: registered,
    app: { ...actual.app, http: record('http'), timer: record('timer'), storageQueue: record('storageQueue') },
  };
}

/** An invocation context whose log lines (level first) go to `logs`. */
export const invocationContext = (logs: string[], dequeueCount = 1) =>
  new InvocationContext({
    invocationId: 'test',
    functionName: 'test',
    triggerMetadata: { dequeueCount },
    logHandler: (level, ...args) => logs.push(`${level} ${args.map(String).join(' ')}`),
  });
