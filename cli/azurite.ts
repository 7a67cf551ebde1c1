// In-memory Azurite (Table and Queue services) on free loopback ports, for the demo and the tests; stopped by its owner.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { UsageError } from './args';

/** Azurite's published development account; not a secret (learn.microsoft.com/azure/storage/common/storage-use-azurite). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  connectionString: string;
  tableEndpoint: string;
  queueEndpoint: string;
  /** Azurite's process, for those who measure what it costs. */
  pid: number;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

export interface AzuriteOptions {
  /**
   * Serve HTTPS with this PEM certificate and key, and require OAuth bearer tokens (Azurite's `--oauth basic`: issuer,
   * audience and lifetime checked), as a storage account with shared-key access off does.
   */
  oauth?: { certPath: string; keyPath: string };
}

/** Accepts a TCP connection on the port: Azurite listens (over HTTPS a fetch would need its certificate trusted). */
async function listening(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const [port, queuePort, blobPort] = [await freePort(), await freePort(), await freePort()];
  const oauth = options.oauth
    ? ['--oauth', 'basic', '--cert', options.oauth.certPath, '--key', options.oauth.keyPath]
    : [];
  let bin: string;
  try {
    bin = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
  } catch {
    // Production installs (npm ci --omit=dev) leave it out: the Function App uses real storage.
    throw new UsageError(
      'Azurite (the local Table and Queue storage the demo writes to) is not installed: it is a dev dependency, so run npm ci without --omit=dev, or npm install azurite',
    );
  }
  // Azurite 3.35 (the newest for Node 20) rejects the API version the current SDKs send without --skipApiVersionCheck.
  // Blob is unused but cannot be turned off; it gets a loopback port like the others.
  const child = spawn(
    process.execPath,
    [
      bin,
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--silent',
      '--disableTelemetry',
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(port),
      '--queueHost',
      '127.0.0.1',
      '--queuePort',
      String(queuePort),
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(blobPort),
      ...oauth,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // However this process ends (an exit on a closed pipe included), Azurite does not outlive it.
  const stopWithUs = () => child.kill('SIGTERM');
  process.once('exit', stopWithUs);
  child.once('exit', () => process.off('exit', stopWithUs));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const scheme = options.oauth ? 'https' : 'http';
  const tableEndpoint = `${scheme}://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  const queueEndpoint = `${scheme}://127.0.0.1:${queuePort}/${DEV_ACCOUNT}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with ${child.exitCode}: ${output.trim()}`);
    if ((await listening(port)) && (await listening(queuePort))) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`Azurite did not listen on 127.0.0.1:${port} within 15 s: ${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    tableEndpoint,
    queueEndpoint,
    pid: child.pid!,
    connectionString: `DefaultEndpointsProtocol=${scheme};AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};TableEndpoint=${tableEndpoint};QueueEndpoint=${queueEndpoint};`,
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
