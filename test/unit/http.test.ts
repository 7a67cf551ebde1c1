// The HTTP layer: statuses and network failures are data, bodies are capped, only allow-listed headers are kept.
import { createServer, type AddressInfo } from 'node:net';
import { bodyExcerpt, createAgent, evidenceHeaders, evidenceRequestHeaders, send } from '../../shared/clients/http';
import { mockAgent } from '../helpers/mock-agent';

const agent = mockAgent();
afterAll(() => agent.close());
const origin = agent.get('https://outlook.office365.com');

test('a 403 is returned, not thrown', async () => {
  origin
    .intercept({ path: '/EWS/Exchange.asmx', method: 'POST' })
    .reply(403, '', { headers: { 'x-ews-policy-reason': 'EWS is disabled for this user or tenant' } });
  const exchange = await send(agent, {
    method: 'POST',
    url: 'https://outlook.office365.com/EWS/Exchange.asmx',
    body: '<x/>',
  });
  expect(exchange).toMatchObject({ status: 403, body: '', truncated: false });
  expect(exchange.headers['x-ews-policy-reason']).toBe('EWS is disabled for this user or tenant');
});

test('a body over the cap is cut and flagged', async () => {
  origin.intercept({ path: '/big', method: 'GET' }).reply(200, 'x'.repeat(5000));
  const exchange = await send(
    agent,
    { method: 'GET', url: 'https://outlook.office365.com/big' },
    { timeoutMs: 1000, maxBodyBytes: 1000 },
  );
  expect(exchange.body).toHaveLength(1000);
  expect(exchange.truncated).toBe(true);
});

test('a connection reset is evidence with the error code', async () => {
  origin
    .intercept({ path: '/reset', method: 'GET' })
    .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
  const exchange = await send(agent, { method: 'GET', url: 'https://outlook.office365.com/reset' });
  expect(exchange.status).toBeNull();
  expect(exchange.error).toMatchObject({
    message: expect.stringContaining('socket hang up'),
    code: 'ECONNRESET',
    host: 'outlook.office365.com',
  });
});

test('evidence keeps allow-listed headers only', () => {
  expect(
    evidenceHeaders({ 'x-ms-diagnostics': '2000008', 'set-cookie': 'exchangecookie=abc', 'request-id': 'r1' }),
  ).toEqual({ 'x-ms-diagnostics': '2000008', 'request-id': 'r1' });
  expect(evidenceRequestHeaders({ Authorization: 'Bearer secret', 'X-AnchorMailbox': 'a@b.c', cookie: 'x' })).toEqual({
    'X-AnchorMailbox': 'a@b.c',
  });
});

test('body excerpts are bounded and say how much was cut', () => {
  expect(bodyExcerpt('short')).toBe('short');
  expect(bodyExcerpt('y'.repeat(5000))).toMatch(/^y{4096}…\[904 more characters\]$/);
});

test('through a proxy that refuses connections (given without a scheme, as curl takes it), the evidence names the code and the host the call was for', async () => {
  // A port that was free a moment ago: nothing listens on it.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const proxied = createAgent({ timeoutMs: 2000, maxBodyBytes: 1000 }, 1, { HTTPS_PROXY: `127.0.0.1:${port}` });
  try {
    const exchange = await send(proxied, { method: 'GET', url: 'https://graph.microsoft.com/v1.0/organization' });
    expect(exchange).toMatchObject({ status: null, error: { code: 'ECONNREFUSED', host: 'graph.microsoft.com' } });
  } finally {
    await proxied.close();
  }
});
