// A watched entry is one app in one tenant: the key that names it in storage, queue messages, alerts and routes.
import { GUID_PATTERN } from './tenant-id';

/** Row and partition keys may not hold / \ # ? or control characters; "~" joins the two ids and sorts after both. */
const SEPARATOR = '~';

export interface EntryRef {
  tenantId: string;
  clientId: string;
}

export const entryKey = ({ tenantId, clientId }: EntryRef): string =>
  `${tenantId.toLowerCase()}${SEPARATOR}${clientId.toLowerCase()}`;

/**
 * The tenant and app a stored key names. Rows written before a tenant could have several apps are keyed by the tenant
 * alone: they come back without an app.
 */
export function splitEntryKey(key: string): { tenantId: string; clientId?: string } {
  const at = key.indexOf(SEPARATOR);
  if (at < 0) return { tenantId: key };
  return { tenantId: key.slice(0, at), clientId: key.slice(at + 1) };
}

/** The key range holding every entry of one tenant: from "tenant~" up to, not including, "tenant" followed by "\x7f". */
export const tenantKeyRange = (tenantId: string) => ({
  from: `${tenantId.toLowerCase()}${SEPARATOR}`,
  to: `${tenantId.toLowerCase()}\u007f`,
});

/** Whether a value from a URL or a message is an app (client) id. */
export const isClientId = (value: unknown): boolean => typeof value === 'string' && GUID_PATTERN.test(value);
