// Reading text that should be JSON but may not be: stored properties, queue messages, other services' answers.

/** The parsed value, or null when the value is not a string or not JSON. */
export function parseJsonOrNull(value: unknown): unknown {
  if (typeof value !== 'string') return null;
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}
