// Where the command line writes: machine output on stdout, people's messages on stderr; and how it waits to be stopped.
export interface Io {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** The terminal's width when stdout is one (or COLUMNS says), for tables that fit it; undefined prints them whole. */
  columns?: number;
  /** Whether stderr is a terminal, so that progress may redraw a line. */
  interactive: boolean;
  /** Redraws one progress line on a terminal; an empty string clears it. */
  progress: (line: string) => void;
  /** All of standard input, for commands that read `-`. */
  readStdin: () => Promise<string>;
}

export const processIo: Io = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  get columns() {
    if (process.stdout.isTTY) return process.stdout.columns;
    const fromEnv = Number(process.env.COLUMNS);
    return Number.isInteger(fromEnv) && fromEnv >= 40 ? fromEnv : undefined;
  },
  interactive: Boolean(process.stderr.isTTY),
  progress: (line) => {
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
  },
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** Resolves on the first SIGINT or SIGTERM. */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
