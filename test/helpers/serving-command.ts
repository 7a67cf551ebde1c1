// Runs a CLI command that serves in the foreground: waits for its ready line of JSON, keeps every later line, stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const BIN = join(__dirname, '../../bin/tenant-health.js');

export interface ServingCommand {
  child: ChildProcess;
  /** Standard output lines before the ready line, then the ready line's JSON. */
  before: string[];
  ready: Record<string, unknown> & { baseUrl: string };
  /** Standard output lines after the ready line. */
  after: string[];
  stderr: () => string;
  /** Sends the signal and resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  /** For a finally block: asks a command still running to stop, so it can stop what it started, then kills it. */
  cleanUp: () => Promise<void>;
}

export async function startServing(args: string[]): Promise<ServingCommand> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const lines = createInterface({ input: child.stdout });
  const before: string[] = [];
  const after: string[] = [];
  let ready: ServingCommand['ready'] | undefined;
  const readyLine = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      if (ready) return void after.push(line);
      const parsed = line.startsWith('{"ready"') ? (JSON.parse(line) as ServingCommand['ready']) : undefined;
      if (parsed) {
        ready = parsed;
        resolve();
      } else before.push(line);
    });
    void exited.then(([code]) => reject(new Error(`exited ${code} before its ready line: ${stderr}`)));
  });
  await readyLine;
  return {
    child,
    before,
    ready: ready as ServingCommand['ready'],
    after,
    stderr: () => stderr,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      const [code] = await exited;
      return code;
    },
    cleanUp: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
