// Removes what can carry a secret (tokens, secrets, signatures, passwords) from text that is about to be shown or stored.
const PATTERNS: [RegExp, string][] = [
  [/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, '<redacted token>'],
  // A credential after the scheme has a digit, a symbol or an inner capital; "Basic authentication" is prose.
  [/\b([Bb]earer|[Bb]asic|BEARER|BASIC)\s+(?=[\w.~+/=-]*(?:[\d.~+/=_-]|[a-z][A-Z]))[\w.~+/=-]{8,}/g, '$1 <redacted>'],
  [/(["']?authorization["']?\s*[:=]\s*["']?)[^"',}\n]+/gi, '$1<redacted>'],
  [/([?&](?:sig|code)=)[^&\s"']+/gi, '$1<redacted>'],
  [/\b((?:AccountKey|SharedAccessKey|SharedAccessSignature)=)[^;\s"']+/gi, '$1<redacted>'],
  [
    /(\b(?:client_secret|access_token|refresh_token|client_assertion|password|passwd)["']?\s*[=:]\s*["']?)[^&\s"',}]+/gi,
    '$1<redacted>',
  ],
];

/** Values shorter than this are too likely to occur by chance to be replaced wherever they appear. */
const MIN_KNOWN_LENGTH = 6;

/** The forms a known secret takes on the way out: as is, URL- and form-encoded, and escaped in JSON. */
function formsOf(value: string): string[] {
  const encoded = encodeURIComponent(value);
  return [...new Set([value, encoded, encoded.replace(/%20/g, '+'), JSON.stringify(value).slice(1, -1)])].sort(
    (a, b) => b.length - a.length,
  );
}

/**
 * A redactor for texts that may hold the given values (the tenant's own credential, known at run time): each is
 * removed wherever it appears, in any of its encodings, and secret-shaped parts are removed too. The encodings are
 * worked out once, for every text the redactor is given.
 */
export function redactor(known: readonly string[] = []): (text: string) => string {
  const forms = known.filter((value) => value.length >= MIN_KNOWN_LENGTH).flatMap(formsOf);
  return (text) => {
    if (!text) return text;
    let result = text;
    for (const form of forms) if (result.includes(form)) result = result.split(form).join('<redacted secret>');
    return PATTERNS.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), result);
  };
}

const PLAIN = redactor();

/** Text with secret-shaped parts, and the given values in any of their encodings, removed. */
export const redact = (text: string, known: readonly string[] = []): string =>
  (known.length ? redactor(known) : PLAIN)(text);

/** An error as one loggable line, with anything secret removed. */
export const describeError = (error: unknown): string =>
  redact(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
