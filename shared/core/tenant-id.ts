// What a tenant id looks like (a GUID or a verified domain), without a schema library: routes check it on every call.
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const DOMAIN_PATTERN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

/** Whether a value from a URL or a message is a tenant id (a GUID or a domain), checked before it goes near storage. */
export const isTenantId = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= 253 && (GUID_PATTERN.test(value) || DOMAIN_PATTERN.test(value));
