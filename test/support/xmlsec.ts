/** Signature checks by xmlsec1, an implementation independent of the xml-crypto that signs the fixtures. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASSERTION_NS, PROTOCOL_NS } from './saml-fixtures.js';

const SIGNATURE_OF = {
  Response: "/*[local-name()='Response']/*[local-name()='Signature']",
  Assertion: "//*[local-name()='Assertion']/*[local-name()='Signature']",
} as const;

export type SignedSamlElement = keyof typeof SIGNATURE_OF;

/** Runs xmlsec1 with the XML and PEM files written to a temporary folder that is removed afterwards. */
export function runXmlsec(args: (files: { xml: string; pem: string }) => string[], xml: string | Buffer, pem: string) {
  const dir = mkdtempSync(join(tmpdir(), 'cloudtoken-xmlsec-'));
  try {
    const files = { xml: join(dir, 'document.xml'), pem: join(dir, 'key-or-cert.pem') };
    writeFileSync(files.xml, xml);
    writeFileSync(files.pem, pem);
    const result = spawnSync('xmlsec1', args(files), { encoding: 'utf8' });
    if (result.error) throw result.error;
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the Response's or the Assertion's own signature verifies against the IdP certificate. */
export function xmlsecVerifies(xml: string | Buffer, signed: SignedSamlElement, certificatePem: string): boolean {
  const result = runXmlsec(
    (files) => [
      '--verify',
      '--id-attr:ID', `${PROTOCOL_NS}:Response`,
      '--id-attr:ID', `${ASSERTION_NS}:Assertion`,
      '--node-xpath', SIGNATURE_OF[signed],
      '--pubkey-cert-pem', files.pem,
      files.xml,
    ],
    xml,
    certificatePem,
  );
  return result.status === 0;
}

/** The document with its EncryptedData decrypted by the private key (the SP's side of an encrypted assertion). */
export function xmlsecDecrypt(xml: string, privateKeyPem: string): string {
  const result = runXmlsec((files) => ['--decrypt', '--privkey-pem', files.pem, files.xml], xml, privateKeyPem);
  if (result.status !== 0) throw new Error(`xmlsec1 --decrypt failed: ${result.stderr}`);
  return result.stdout;
}
