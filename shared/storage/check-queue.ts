// The Storage queue that fans a cycle out, one message per watched entry, and its poison queue for messages given up on.
import type { QueueClient } from '@azure/storage-queue';

import { storageAccount, type StorageSource } from './account';
import { parseJsonOrNull } from '../core/json';
import { isTenantId } from '../core/tenant-id';
import { isClientId } from '../core/entry';
import { forEachLimited } from '../core/pool';

/** One entry's check in one cycle; the cycle id makes a redelivered message rewrite its own history row. */
export interface CheckMessage {
  tenantId: string;
  /** The app; absent in messages queued before a tenant could have several apps. */
  clientId?: string;
  cycleId: string;
  cycleAt: string;
}

/** A message as the worker reads it (the host has already decoded base64 and JSON), or why it cannot be used. */
export function readCheckMessage(value: unknown): { ok: true; message: CheckMessage } | { ok: false; problem: string } {
  const candidate = typeof value === 'string' ? parseJsonOrNull(value) : value;
  if (typeof candidate !== 'object' || candidate === null)
    return { ok: false, problem: 'the message is not a JSON object' };
  const { tenantId, clientId, cycleId, cycleAt } = candidate as Record<string, unknown>;
  if (!isTenantId(tenantId))
    return { ok: false, problem: 'tenantId is missing or is not a tenant id (a GUID or a domain)' };
  if (clientId !== undefined && (typeof clientId !== 'string' || !isClientId(clientId)))
    return { ok: false, problem: 'clientId is not an app (client) id GUID' };
  const app = typeof clientId === 'string' ? { clientId } : {};
  if (typeof cycleId !== 'string' || !/^[\w-]{1,64}$/.test(cycleId))
    return { ok: false, problem: 'cycleId is missing or not 1-64 letters, digits, dashes or underscores' };
  if (typeof cycleAt !== 'string' || Number.isNaN(Date.parse(cycleAt)))
    return { ok: false, problem: 'cycleAt is missing or not an ISO time' };
  return {
    ok: true,
    message: { tenantId, ...app, cycleId, cycleAt: new Date(cycleAt).toISOString() },
  };
}

// Functions' queue trigger decodes base64 by default (host.json extensions.queues.messageEncoding).
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

export class CheckQueue {
  private constructor(
    private readonly queue: QueueClient,
    private readonly poison: QueueClient,
  ) {}

  static in(storage: StorageSource, queueName: string): CheckQueue {
    const account = storageAccount(storage);
    return new CheckQueue(account.queue(queueName), account.queue(`${queueName}-poison`));
  }

  async ensureQueues(): Promise<void> {
    await Promise.all([this.queue.createIfNotExists(), this.poison.createIfNotExists()]);
  }

  /** Sends one message per entry, eight at a time. */
  async enqueue(messages: CheckMessage[]): Promise<void> {
    await forEachLimited(messages, 8, async (message) => {
      await this.queue.sendMessage(encode(message));
    });
  }

  /** Gives a message up: it goes to the poison queue with the reason, where an operator can read and requeue it. */
  async sendToPoison(original: unknown, reason: string): Promise<void> {
    await this.poison.sendMessage(encode({ reason, failedAt: new Date().toISOString(), message: original }));
  }
}
