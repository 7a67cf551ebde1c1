// Where the command line writes: machine output on stdout, people's messages on stderr; and how it waits to be stopped.
export interface Io {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Whether stderr is a terminal, so that progress may redraw a line. */
  interactive: boolean;
}

export const processIo: Io = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  interactive: Boolean(process.stderr.isTTY),
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
