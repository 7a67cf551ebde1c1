// One set of clients per worker process, built on first use from the app settings; never throws at module load.
import { readSettings, storageConnectionOf, type Settings } from '../../shared/core/settings';
import type { ServiceDeps } from '../../shared/service/check-service';

interface Runtime {
  deps: ServiceDeps | null;
  problems: string[];
  ready?: Promise<void>;
}
let current: Promise<Runtime> | undefined;

/** Settings as the registrations need them (schedule, queue); bad values fall back to defaults with a problem noted. */
export const settingsAtLoad = (): Settings => readSettings().settings;

/** The setting that names the storage connection, as the queue trigger's `connection` wants it. */
export const storageConnectionSetting = () => storageConnectionOf().setting;

/** The clients are loaded on first use, so importing a function file costs little more than the host itself. */
async function build(): Promise<Runtime> {
  const { settings, problems } = readSettings();
  if (!settings.storageConnection) return { deps: null, problems };
  const { createServices } = await import('../../shared/service/services.js');
  try {
    // Module-level for the worker's life: MSAL's token cache and the HTTP connection pool are reused across invocations.
    return { deps: createServices(settings), problems };
  } catch (error) {
    return {
      deps: null,
      problems: [
        ...problems,
        `the storage connection cannot be used: ${error instanceof Error ? error.message : String(error)}`,
      ],
    };
  }
}

/** The worker's clients, with tables and queues created once; null with the problems when settings make that impossible. */
export async function runtime(): Promise<{ deps: ServiceDeps | null; problems: string[] }> {
  current ??= build();
  const built = await current;
  const { deps } = built;
  if (deps) {
    const { ensureStorage } = await import('../../shared/service/check-service.js');
    built.ready ??= ensureStorage(deps);
    try {
      await built.ready;
    } catch (error) {
      built.ready = undefined; // the next invocation tries again
      throw error;
    }
  }
  return built;
}

/** Tests and `demo --serve` supply their own clients (Azurite, the simulated cloud). */
export function useServiceDeps(deps: ServiceDeps | null): void {
  current = deps ? Promise.resolve({ deps, problems: [] }) : undefined;
}
