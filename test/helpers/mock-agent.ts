// A MockAgent that refuses real connections, and a probe context around it.
import { MockAgent } from 'undici';
import type { ProbeContext } from '../../shared/probes/probe-kit';
import { DEFAULT_LIMITS } from '../../shared/clients/http';

export function mockAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return agent;
}

export function probeContext(
  dispatcher: MockAgent,
  overrides: Partial<ProbeContext> = {},
): ProbeContext & { waits: number[] } {
  const waits: number[] = [];
  return {
    dispatcher,
    limits: { ...DEFAULT_LIMITS, timeoutMs: 2000 },
    deadline: Date.now() + 60_000,
    signal: new AbortController().signal,
    now: () => Date.parse('2026-11-21T09:00:00Z'),
    userAgent: 'tenant-health-test',
    wait: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    waits,
    ...overrides,
  };
}
