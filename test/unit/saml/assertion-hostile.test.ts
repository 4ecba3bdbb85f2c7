import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_DECODED_BYTES, parseSamlResponse } from '../../../main/saml/assertion.js';
import { samlErrorFrom } from '../../support/saml-expect.js';
import { buildSamlResponseXml, createSigningIdentity } from '../../support/saml-fixtures.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const identity = createSigningIdentity();
const validXml = buildSamlResponseXml({ identity, now: NOW });
const tempDir = mkdtempSync(join(tmpdir(), 'cloudtoken-saml-hostile-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

function parseXml(xml: string) {
  return parseSamlResponse(Buffer.from(xml, 'utf8').toString('base64'), { now: NOW });
}

/** A valid response with `declaration` placed where an attacker would put it: before the root element. */
function withPrologue(declaration: string): string {
  return validXml.replace('<samlp:Response', `${declaration}\n<samlp:Response`);
}

describe('parseSamlResponse refuses DOCTYPEs and entities before parsing', () => {
  it('refuses billion laughs at once, without expanding anything', () => {
    const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const xml = withPrologue(`<!DOCTYPE samlp:Response [<!ENTITY lol0 "lol">${levels}]>`).replace(
      '<saml:Audience>urn:amazon:webservices',
      '<saml:Audience>&lol9;',
    );
    const started = performance.now();
    expect(samlErrorFrom(() => parseXml(xml)).code).toBe('SAML_DOCTYPE');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('refuses an external entity without reading the file it names', () => {
    // The entity names a FIFO that holds a marker: had anything read it, the marker would be gone from the pipe.
    const fifo = join(tempDir, 'secret.fifo');
    execFileSync('mkfifo', [fifo]);
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      const marker = 'cloudtoken-secret-marker';
      writeSync(fd, marker);
      for (const target of [`file://${fifo}`, 'file:///etc/passwd']) {
        const xml = withPrologue(`<!DOCTYPE r [<!ENTITY xxe SYSTEM "${target}">]>`).replace('>alice<', '>&xxe;<');
        const error = samlErrorFrom(() => parseXml(xml));
        expect(error.code).toBe('SAML_DOCTYPE');
        expect(error.message).not.toMatch(/root:|cloudtoken-secret-marker/);
      }
      const left = Buffer.alloc(64);
      expect(left.toString('utf8', 0, readSync(fd, left))).toBe(marker);
    } finally {
      closeSync(fd);
    }
  });

  it.each([
    ['lower-case doctype', '<!doctype r>'],
    ['a parameter entity', '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'],
    ['an external DTD', '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd">'],
    ['a DOCTYPE after a comment', '<!-- hello --><!DOCTYPE r>'],
  ])('refuses %s', (_name, declaration) => {
    expect(samlErrorFrom(() => parseXml(withPrologue(declaration))).code).toBe('SAML_DOCTYPE');
  });

  it('refuses an entity declaration inside the document body', () => {
    const xml = validXml.replace('<samlp:Status>', '<!ENTITY x "y"><samlp:Status>');
    expect(samlErrorFrom(() => parseXml(xml)).code).toBe('SAML_DOCTYPE');
  });

  it('does not mistake DOCTYPE text inside a comment or CDATA for a declaration', () => {
    const xml = validXml.replace('<samlp:Status>', '<!-- <!DOCTYPE r> --><samlp:Status>').replace('>alice<', '><![CDATA[alice]]><');
    expect(parseXml(xml).roleSessionName).toBe('alice');
  });
});

describe('parseSamlResponse bounds size and depth', () => {
  const paddedTo = (decodedBytes: number) => {
    const padding = decodedBytes - Buffer.byteLength(validXml) - '<!---->'.length;
    return validXml.replace('<samlp:Status>', `<!--${'p'.repeat(padding)}--><samlp:Status>`);
  };

  it('reads a response of exactly 1 MiB and refuses one byte more', () => {
    expect(parseXml(paddedTo(MAX_DECODED_BYTES)).roles).toHaveLength(1);
    expect(samlErrorFrom(() => parseXml(paddedTo(MAX_DECODED_BYTES + 1))).code).toBe('SAML_TOO_LARGE');
  });

  it('refuses a huge input before decoding it', () => {
    const started = performance.now();
    expect(samlErrorFrom(() => parseSamlResponse('A'.repeat(64 * 1024 * 1024))).code).toBe('SAML_TOO_LARGE');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses 100,000 nested elements quickly, without exhausting the stack', () => {
    const depth = 100_000;
    const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</samlp:Response>`;
    const started = performance.now();
    expect(samlErrorFrom(() => parseXml(xml)).code).toBe('SAML_TOO_DEEP');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses deep nesting that is never closed, or hidden in self-closing-looking attributes', () => {
    expect(samlErrorFrom(() => parseXml(`${'<a x="/>">'.repeat(70)}`)).code).toBe('SAML_TOO_DEEP');
  });

  it('reads IdP extensions nested well within the bound', () => {
    const extension = `${'<x:e xmlns:x="urn:example">'.repeat(40)}${'</x:e>'.repeat(40)}`;
    const xml = validXml.replace('<samlp:Status>', `<samlp:Extensions>${extension}</samlp:Extensions><samlp:Status>`);
    expect(parseXml(xml).roles).toHaveLength(1);
  });
});

describe('parseSamlResponse on random bytes', () => {
  it('answers every random blob with a typed error', () => {
    for (let i = 0; i < 200; i++) {
      const blob = randomBytes(1 + (i * 37) % 4096).toString('base64');
      expect(samlErrorFrom(() => parseSamlResponse(blob, { now: NOW })).code).toMatch(/^SAML_/);
    }
  });
});
