// The repository's alert payload schema, and a check that a body the Logic App received is valid by it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export const ALERT_SCHEMA: Record<string, any> = JSON.parse(
  readFileSync(join(__dirname, '../../schemas/alert-payload.v1.json'), 'utf8'),
);

// strictRequired would refuse the conditional requirements (allOf/if/then), which name properties defined above them.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(ALERT_SCHEMA);

/** Why the body is not a valid alert payload; an empty list when it is. */
export function invalidAlertPayload(body: unknown): string[] {
  return validate(body)
    ? []
    : (validate.errors ?? []).map(
        (e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
      );
}
