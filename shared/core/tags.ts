// Tags on watched entries (customer, tier, region): their names and the name:value filter the summary, fleet and alerts use.

/** A tag's name, as the summary's ?tag=name:value filter reads it. */
export const TAG_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** A name:value tag filter (the summary's and the fleet's ?tag=, fleet --tag), or null when it is not one. */
export function parseTagFilter(text: string): { name: string; value: string } | null {
  const at = text.indexOf(':');
  const [name, value] = [text.slice(0, at), text.slice(at + 1)];
  return at > 0 && TAG_NAME.test(name) && value.length >= 1 && value.length <= 64 ? { name, value } : null;
}

/** The entries (any result with a tenant and tags) of the tenants any of whose apps carries the tag. */
export function withTag<T extends { tenantId: string; tags?: Record<string, string> }>(
  entries: T[],
  tag: { name: string; value: string },
): T[] {
  const tenants = new Set(entries.filter((e) => e.tags?.[tag.name] === tag.value).map((e) => e.tenantId.toLowerCase()));
  return entries.filter((e) => tenants.has(e.tenantId.toLowerCase()));
}
