// Runs the command line in-process, as `npx tenant-health <command>` would, and keeps what it printed and its exit code.
import { execFile } from 'node:child_process';
import { BIN } from './serving-command';
import { main } from '../../cli/main';
import type { Io } from '../../cli/io';

export async function runCli(argv: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
    interactive: false,
    progress: () => undefined,
    readStdin: () => Promise.resolve(stdin),
  };
  const code = await main(argv, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/**
 * Runs the built command line (dist/, so `npm run build` first) in its own process, as a user's shell does: process-wide
 * state (proxy settings the Azure SDK reads once, the managed identity's endpoint) starts fresh each time.
 */
export function runBin(
  argv: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...argv],
      { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: stdout.trimEnd(), stderr: stderr.trimEnd() });
      },
    );
  });
}
