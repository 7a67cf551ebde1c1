// Runs the command line in-process, as `npx tenant-health <command>` would, and keeps what it printed and its exit code.
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
