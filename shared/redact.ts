// Removes what can carry a secret (tokens, secrets, signatures, passwords) from text that is about to be shown or stored.
const PATTERNS: [RegExp, string][] = [
  [/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, '<redacted token>'],
  [/\b(Bearer|Basic)\s+[\w.~+/=-]{8,}/gi, '$1 <redacted>'],
  [/(["']?authorization["']?\s*[:=]\s*["']?)[^"',}\n]+/gi, '$1<redacted>'],
  [/([?&](?:sig|code)=)[^&\s"']+/gi, '$1<redacted>'],
  [/\b((?:AccountKey|SharedAccessKey|SharedAccessSignature)=)[^;\s"']+/gi, '$1<redacted>'],
  [/(\b(?:client_secret|access_token|refresh_token|client_assertion|password|passwd)["']?\s*[=:]\s*["']?)[^&\s"',}]+/gi, '$1<redacted>'],
];

export function redact(text: string): string {
  return PATTERNS.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text);
}

/** An error as one loggable line, with anything secret removed. */
export const describeError = (error: unknown): string => redact(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
