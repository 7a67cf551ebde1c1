// Errors the services throw that a caller tells apart, in a module of their own so that light callers need nothing else.

/** A setting the work needs is missing (KEY_VAULT_URL, storage): nothing can be done until it is set. */
export class NotConfiguredError extends Error {}
