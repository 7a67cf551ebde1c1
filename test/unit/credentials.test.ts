// App credentials: PEM and PFX certificates into MSAL's shape; missing or unusable secrets as evidence, not throws.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { loadCredential, LocalSecretStore, parseCertificate, type SecretStore } from '../../shared/clients/key-vault';
import { generateCertificate } from '../../sim/certificates';

const AT = '2026-11-21T09:00:00.000Z';
const cert = generateCertificate('tenant-health test', Date.parse('2026-01-01'), Date.parse('2027-06-30'));

test('a PEM with certificate and key becomes thumbprint, PKCS#8 key and the certificate', () => {
  const parsed = parseCertificate(cert.pem, 'application/x-pem-file');
  expect(parsed.thumbprintSha256).toBe(new X509Certificate(cert.certificatePem).fingerprint256.replace(/:/g, ''));
  expect(parsed.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  expect(parsed.x5c).toContain('BEGIN CERTIFICATE');
});

test('a base64 PFX with a password gives the same certificate', () => {
  const p12 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(cert.privateKeyPem),
    [forge.pki.certificateFromPem(cert.certificatePem)],
    'pfx-password',
    { algorithm: '3des' },
  );
  const base64 = forge.util.encode64(forge.asn1.toDer(p12).getBytes());
  expect(parseCertificate(base64, 'application/x-pkcs12', 'pfx-password').thumbprintSha256).toBe(cert.thumbprintSha256);
  expect(() => parseCertificate(base64, 'application/x-pkcs12', 'wrong')).toThrow();
});

test('a PEM without a key is refused with what is missing', () => {
  expect(() => parseCertificate(cert.certificatePem, undefined)).toThrow('the PEM has no PRIVATE KEY block');
});

const store = (secrets: Record<string, { value: string; expiresOn?: Date } | Error>): SecretStore => ({
  description: 'test vault',
  get: (name) => {
    const entry = secrets[name];
    if (entry instanceof Error) return Promise.reject(entry);
    return Promise.resolve(entry ?? null);
  },
});

test('a secret loads with its expiry', async () => {
  const expiresOn = new Date('2027-01-01T00:00:00Z');
  await expect(
    loadCredential({ type: 'secret', keyVaultSecretName: 's' }, store({ s: { value: 'v', expiresOn } }), AT),
  ).resolves.toEqual({ ok: true, material: { kind: 'secret', secret: 'v', expiresOn } });
});

test('a missing secret is keyvault evidence with 404', async () => {
  const outcome = await loadCredential({ type: 'secret', keyVaultSecretName: 'gone' }, store({}), AT);
  expect(outcome).toMatchObject({
    ok: false,
    message: 'test vault has no secret named gone',
    evidence: { endpoint: 'keyvault', response: { status: 404 }, observedAt: AT },
  });
});

test('a vault that refuses us is evidence with its status, and a certificate secret without a certificate says so', async () => {
  const denied = Object.assign(new Error('Caller is not authorized to perform action on resource'), {
    name: 'RestError',
    statusCode: 403,
  });
  await expect(
    loadCredential({ type: 'secret', keyVaultSecretName: 's' }, store({ s: denied }), AT),
  ).resolves.toMatchObject({ ok: false, evidence: { response: { status: 403 }, error: { name: 'RestError' } } });
  await expect(
    loadCredential({ type: 'certificate', keyVaultSecretName: 's' }, store({ s: { value: 'plain text' } }), AT),
  ).resolves.toMatchObject({ ok: false, message: expect.stringContaining('holds no usable certificate') });
});

test('the local secrets file takes plain values or values with expiry, and names a bad file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'th-secrets-'));
  const file = join(dir, 'secrets.json');
  await writeFile(file, JSON.stringify({ a: 'plain', b: { value: 'x', expiresOn: '2027-06-30T00:00:00Z' } }));
  const local = await LocalSecretStore.load(file);
  await expect(local.get('a')).resolves.toEqual({ value: 'plain' });
  await expect(local.get('b')).resolves.toMatchObject({ value: 'x', expiresOn: new Date('2027-06-30T00:00:00Z') });
  await expect(local.get('c')).resolves.toBeNull();
  await writeFile(file, '{"a": 3}');
  await expect(LocalSecretStore.load(file)).rejects.toThrow(/secrets\.json: a: /);
});
