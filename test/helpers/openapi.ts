// The repository's OpenAPI document, and a check that an answer is one it documents (status, media type, body schema).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Json = Record<string, any>;

export const OPENAPI: Json = JSON.parse(
  readFileSync(join(__dirname, '../../openapi/tenant-health.openapi.json'), 'utf8'),
);

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
// The document's own keywords are not schema keywords; ajv only reads the schemas the checks point into.
ajv.addVocabulary(['openapi', 'info', 'servers', 'tags', 'paths', 'components']);
ajv.addSchema(OPENAPI, 'openapi');

const pointer = (parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** The path and method of an operation, by its operationId (the route's name). */
export function operation(operationId: string): { path: string; method: string; spec: Json } {
  for (const [path, item] of Object.entries(OPENAPI.paths as Json)) {
    for (const [method, spec] of Object.entries(item as Json))
      if (spec.operationId === operationId) return { path, method, spec };
  }
  throw new Error(`the OpenAPI document has no operation ${operationId}`);
}

/** Why the answer is not what the document says for this operation; an empty list when it is. */
export function undocumented(
  operationId: string,
  answer: { status?: number; headers?: unknown; jsonBody?: unknown; body?: unknown },
): string[] {
  const { path, method, spec } = operation(operationId);
  const status = String(answer.status ?? 200);
  let response = spec.responses[status] as Json | undefined;
  let at = ['paths', path, method, 'responses', status];
  if (!response) return [`${operationId} does not document status ${status}`];
  if (response.$ref) {
    at = (response.$ref as string).slice(2).split('/');
    response = at.reduce((node: Json, key) => node[key], OPENAPI);
  }
  const headers = new Headers(answer.headers as Record<string, string> | undefined);
  if (answer.jsonBody === undefined && answer.body === undefined)
    return response.content ? [`${operationId} ${status} documents a body but none was sent`] : [];
  const mediaType = (headers.get('content-type') ?? 'application/json').split(';')[0]!.trim();
  if (!response.content?.[mediaType]) return [`${operationId} ${status} does not document ${mediaType}`];
  // A page is a string of its media type; only JSON bodies have a schema to hold them to.
  if (answer.jsonBody === undefined) return typeof answer.body === 'string' ? [] : [`${operationId} sent no text`];
  const validate = ajv.compile({ $ref: `openapi#/${pointer([...at, 'content', mediaType, 'schema'])}` });
  return validate(answer.jsonBody)
    ? []
    : (validate.errors ?? []).map((e) => `${operationId} ${status}: ${e.instancePath || '/'} ${e.message}`);
}
