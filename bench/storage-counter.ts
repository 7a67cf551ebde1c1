// A counting proxy in front of Azurite, in a process of its own (its CPU is not the app's): every Table and Queue
// request it forwards is counted with the bytes answered. GET /_counts reads the totals, DELETE /_counts resets them.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Counts {
  table: { requests: number; bytes: number };
  queue: { requests: number; bytes: number };
}
const fresh = (): Counts => ({ table: { requests: 0, bytes: 0 }, queue: { requests: 0, bytes: 0 } });
let counts = fresh();

function proxy(kind: keyof Counts, targetPort: number) {
  return (incoming: IncomingMessage, outgoing: ServerResponse) => {
    if (incoming.url === '/_counts') {
      if (incoming.method === 'DELETE') counts = fresh();
      outgoing.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
      return;
    }
    counts[kind].requests += 1;
    const forwarded = request(
      { host: '127.0.0.1', port: targetPort, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (chunk: Buffer) => {
          counts[kind].bytes += chunk.length;
          outgoing.write(chunk);
        });
        answer.on('end', () => outgoing.end());
      },
    );
    forwarded.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forwarded);
  };
}

async function listen(handler: ReturnType<typeof proxy>): Promise<number> {
  const server = createServer({ keepAliveTimeout: 30_000 }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function main(): Promise<void> {
  const [tablePort, queuePort] = process.argv.slice(2).map(Number);
  const ports = { table: await listen(proxy('table', tablePort!)), queue: await listen(proxy('queue', queuePort!)) };
  process.stdout.write(`${JSON.stringify({ ready: true, ...ports })}\n`);
}

void main();
