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
  /** All of standard input, for commands that read `-`; more than maxBytes is refused. */
  readStdin: (maxBytes: number) => Promise<string>;
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
  readStdin: (maxBytes) => readCapped(process.stdin, maxBytes),
};

/** Thrown when a stream holds more than the bytes allowed. */
export class TooLargeError extends Error {
  override readonly name = 'TooLargeError';
}

/** A stream's text, read until maxBytes and no further (a device or pipe that never ends cannot fill memory). */
export async function readCapped(stream: NodeJS.ReadableStream, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buffer.length;
    if (size > maxBytes) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw new TooLargeError(`more than the ${maxBytes}-byte limit`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

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
