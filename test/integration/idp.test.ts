import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormAuthenticator } from '../../main/login/form.js';
import { parseSamlResponse } from '../../main/saml/assertion.js';
import { ALICE, AWS_ACS_URL, AWS_SP_ENTITY_ID, startIdp } from '../support/idp/index.js';
import { phpAssignments } from '../support/idp/php-literal.js';
import type { RunningIdp } from '../support/idp/index.js';

const execFileAsync = promisify(execFile);
const SAML_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const RESPONSE_SIGNATURE = "/*[local-name()='Response']/*[local-name()='Signature']";
const ASSERTION_SIGNATURE = "/*[local-name()='Response']/*[local-name()='Assertion']/*[local-name()='Signature']";

async function signInAsAlice(idp: RunningIdp): Promise<string> {
  const authenticator = createFormAuthenticator({ signInUrl: idp.signInUrl, username: ALICE.username, password: async () => ALICE.password });
  return (await authenticator.authenticate({ interactive: true })).samlResponse;
}

/** xmlsec1 checks one signature (chosen by XPath) against the given certificate only. */
async function xmlsecVerify(xmlFile: string, certFile: string, signatureXPath: string): Promise<boolean> {
  try {
    await execFileAsync('xmlsec1', [
      '--verify', '--pubkey-cert-pem', certFile,
      '--id-attr:ID', `${SAML_PROTOCOL}:Response`, '--id-attr:ID', `${SAML_ASSERTION}:Assertion`,
      '--node-xpath', signatureXPath, xmlFile,
    ]);
    return true;
  } catch {
    return false;
  }
}

describe('SimpleSAMLphp test IdP', () => {
  let idp: RunningIdp;
  let dir: string;
  beforeAll(async () => {
    [idp, dir] = await Promise.all([startIdp(), mkdtemp(join(tmpdir(), 'cloudtoken-idp-test-'))]);
  });
  afterAll(async () => {
    await idp?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('publishes metadata naming its entity id and its per-run signing certificate', async () => {
    const metadata = await (await fetch(idp.metadataUrl)).text();
    expect(metadata).toContain(`entityID="${idp.entityId}"`);
    const certBody = idp.certificatePem.replace(/-----[A-Z ]+-----|\s/g, '');
    expect(metadata.replace(/\s/g, '')).toContain(certBody);
  });

  it('signs both the response and the assertion (RSA-SHA256), verifiable by xmlsec1 with its certificate only', async () => {
    const xml = Buffer.from(await signInAsAlice(idp), 'base64').toString('utf8');
    expect(xml).toContain('Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"');
    const xmlFile = join(dir, 'response.xml');
    const certFile = join(dir, 'idp.pem');
    await writeFile(xmlFile, xml);
    await writeFile(certFile, idp.certificatePem);
    expect(await xmlsecVerify(xmlFile, certFile, RESPONSE_SIGNATURE)).toBe(true);
    expect(await xmlsecVerify(xmlFile, certFile, ASSERTION_SIGNATURE)).toBe(true);

    // The same check fails for a changed assertion and for another key: it really verifies.
    const tampered = join(dir, 'tampered.xml');
    await writeFile(tampered, xml.replace('>alice</saml:NameID>', '>mallory</saml:NameID>'));
    expect(await xmlsecVerify(tampered, certFile, ASSERTION_SIGNATURE)).toBe(false);
    const otherCert = join(dir, 'other.pem');
    await execFileAsync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=other', '-keyout', join(dir, 'other.key'), '-out', otherCert]);
    expect(await xmlsecVerify(xmlFile, otherCert, ASSERTION_SIGNATURE)).toBe(false);
  });

  it('addresses AWS: audience, recipient, destination, persistent NameID, URI attribute names', async () => {
    const samlResponse = await signInAsAlice(idp);
    const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
    const parsed = parseSamlResponse(samlResponse);
    expect(parsed.issuer).toBe(idp.entityId);
    expect(parsed.audiences).toEqual([AWS_SP_ENTITY_ID]);
    expect(parsed.recipient).toBe(AWS_ACS_URL);
    expect(parsed.destination).toBe(AWS_ACS_URL);
    expect(parsed.nameId).toBe(ALICE.uid);
    expect(xml).toContain('Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"');
    expect(xml).toContain('NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"');
  });

  it('offers a transient NameID and stops without leaving a php process behind', async () => {
    const other = await startIdp({ nameIdFormat: 'transient', users: [{ ...ALICE, username: 'carol' }] });
    const carol = createFormAuthenticator({ signInUrl: other.signInUrl, username: 'carol', password: async () => ALICE.password });
    const xml = Buffer.from((await carol.authenticate({ interactive: true })).samlResponse, 'base64').toString('utf8');
    expect(xml).toContain('Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient"');
    await other.stop();
    await expect(fetch(other.metadataUrl)).rejects.toThrow();
    const { port } = new URL(other.baseUrl);
    const left = await execFileAsync('pgrep', ['-f', `php .*-S 127\\.0\\.0\\.1:${port} `]).then((r) => r.stdout, () => '');
    expect(left).toBe('');
    await other.stop(); // twice is harmless
  });

  it('kills php when the test process dies without stopping it', async () => {
    const script = join(dir, 'abandon.mts');
    await writeFile(
      script,
      `import { startIdp } from ${JSON.stringify(new URL('../support/idp/index.ts', import.meta.url).pathname)};
       const idp = await startIdp();
       console.log(new URL(idp.baseUrl).port);
       throw new Error('a test failed before stop()');`,
    );
    const run = await execFileAsync(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd() }).then(
      () => ({ stdout: '', failed: false }),
      (error: { stdout: string }) => ({ stdout: error.stdout, failed: true }),
    );
    expect(run.failed).toBe(true);
    const port = run.stdout.trim();
    expect(port).toMatch(/^\d+$/);
    await expect(fetch(`http://127.0.0.1:${port}/simplesaml/`)).rejects.toThrow();
    const left = await execFileAsync('pgrep', ['-f', `php .*-S 127\\.0\\.0\\.1:${port} `]).then((r) => r.stdout, () => '');
    expect(left).toBe('');
  });
});

describe('PHP literals for the IdP configuration', () => {
  it('round-trips quotes, backslashes, unicode, numeric keys and nesting through php itself', async () => {
    const value = { "it's": ['a\\b', "\\'", 'ünï', '$x {$y}'], '10': { nested: [1, 2.5, true, false, null] }, '010': 'kept as a string key' };
    const dir = await mkdtemp(join(tmpdir(), 'cloudtoken-php-literal-'));
    try {
      const file = join(dir, 'value.php');
      await writeFile(file, phpAssignments([['$value', value]]));
      const { stdout } = await execFileAsync('php', ['-r', `require ${JSON.stringify(file)}; echo json_encode($value);`]);
      expect(JSON.parse(stdout)).toEqual(value);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
