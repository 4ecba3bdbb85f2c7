// The Node here (20) has neither tls.getCACertificates nor tls.setDefaultCACertificates, which Electron 41's
// Node 24 has: the decision is tested against a fake with Node 24's signatures and behaviour (the default set is
// what the last setDefaultCACertificates gave), and against Node's own module where it has them. That STS then
// succeeds behind a real TLS-inspecting proxy needs a machine whose OS store holds that proxy's root.
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { trustSystemCertificates, type CertificateApi } from '../../../main/sts/system-trust.js';
import { createLogger } from '../../../main/support/logger.js';

const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(name).toString('base64')}\n-----END CERTIFICATE-----\n`;

function node24Tls(bundled: string[], system: string[]): CertificateApi & { defaults: string[] } {
  return {
    defaults: bundled,
    getCACertificates(type) {
      return type === 'system' ? [...system] : [...this.defaults];
    },
    setDefaultCACertificates(certificates) {
      this.defaults = [...certificates];
    },
  };
}

function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ sink: (line) => lines.push(line), level: 'debug' }) };
}

describe('trustSystemCertificates', () => {
  it('adds the system store to Node’s default certificates, keeping them and not repeating any', () => {
    const fake = node24Tls([pem('mozilla-1'), pem('mozilla-2')], [pem('mozilla-2'), pem('corporate-root'), pem('corporate-root')]);
    const { lines, logger } = recordingLogger();
    expect(trustSystemCertificates(fake, logger)).toEqual({ kind: 'added', count: 1 });
    expect(fake.defaults.map((c) => c.trim())).toEqual([pem('mozilla-1'), pem('mozilla-2'), pem('corporate-root')].map((c) => c.trim()));
    expect(lines.join('\n')).toContain('"added":1');
  });

  it('changes nothing when the system store adds nothing new, and a second call adds nothing again', () => {
    const fake = node24Tls([pem('a')], [pem('b')]);
    const { logger } = recordingLogger();
    trustSystemCertificates(fake, logger);
    const after = fake.defaults;
    expect(trustSystemCertificates(fake, logger)).toEqual({ kind: 'already-trusted' });
    expect(fake.defaults).toBe(after);
  });

  it('keeps the defaults and says how to go on when the system store cannot be read', () => {
    const fake = node24Tls([pem('a')], []);
    fake.getCACertificates = (type) => {
      if (type === 'system') throw new Error('keychain locked');
      return [pem('a')];
    };
    const { lines, logger } = recordingLogger();
    expect(trustSystemCertificates(fake, logger)).toEqual({ kind: 'failed', message: 'keychain locked' });
    expect(fake.defaults).toEqual([pem('a')]);
    expect(lines.join('\n')).toMatch(/WARN .*system certificate store.*keychain locked/);
  });

  it('leaves a Node without the calls (20, as here) as it is', () => {
    const { lines, logger } = recordingLogger();
    const old = { rootCertificates: tls.rootCertificates, getCACertificates: undefined };
    expect(trustSystemCertificates(old, logger)).toEqual({ kind: 'unsupported' });
    expect(lines.join('\n')).toContain('NODE_EXTRA_CA_CERTS');
  });

  const real = tls as unknown as Partial<CertificateApi>;
  it.runIf(typeof real.setDefaultCACertificates === 'function')('with Node’s own tls module, every system certificate is then a default one', () => {
    const api = real as CertificateApi;
    const outcome = trustSystemCertificates(api, recordingLogger().logger);
    expect(['added', 'already-trusted']).toContain(outcome.kind);
    const defaults = new Set(api.getCACertificates('default').map((c) => c.trim()));
    for (const certificate of api.getCACertificates('system')) expect(defaults.has(certificate.trim())).toBe(true);
  });
});
