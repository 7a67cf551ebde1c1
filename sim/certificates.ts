// Self-signed X.509 certificates for simulated app registrations, generated at start so no private key is committed.
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { thumbprint } from './jwt';

export interface GeneratedCertificate {
  /** PEM of the certificate followed by its PKCS#8 private key: what an app keeps in Key Vault. */
  pem: string;
  certificatePem: string;
  privateKeyPem: string;
  thumbprintSha1: string;
  thumbprintSha256: string;
  notAfter: number;
}

/**
 * A self-signed certificate; with `serverIps`, one a TLS server on those addresses presents, trusted as its own
 * authority (loopback HTTPS in tests).
 */
export function generateCertificate(
  subject: string,
  notBefore: number,
  notAfter: number,
  { serverIps = [] }: { serverIps?: string[] } = {},
): GeneratedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  // A positive DER INTEGER without leading zero octets.
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(notBefore);
  cert.validity.notAfter = new Date(notAfter);
  const name = [{ name: 'commonName', value: subject }];
  cert.setSubject(name);
  cert.setIssuer(name);
  if (serverIps.length)
    cert.setExtensions([
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: serverIps.map((ip) => ({ type: 7, ip })) },
    ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  const certificatePem = forge.pki.certificateToPem(cert);
  const der = new X509Certificate(certificatePem).raw;
  return {
    pem: `${certificatePem.trim()}\n${privateKeyPem.trim()}\n`,
    certificatePem,
    privateKeyPem,
    thumbprintSha1: thumbprint(der, 'sha1').toString('hex').toUpperCase(),
    thumbprintSha256: thumbprint(der, 'sha256').toString('hex').toUpperCase(),
    notAfter,
  };
}
