// 169.254.169.254 appears here only as text; no traffic goes to it (real traffic to it happens only inside a
// network namespace a test creates with unshare — see test/support/netns.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAliasPlan, isAliasPlatform, type AliasPlan, type AliasPlatform, type LinuxRedirect } from '../../../main/network/alias-plan.js';

const GOLDEN_PORT = 49321;
// Each fixture starts with a two-line provenance header (`# golden:` / `rem golden:` and its continuation).
const GOLDEN_HEADER = /^(?:#|rem) golden:[^\n]*\n(?:#|rem) [^\n]*\n/;
const golden = (name: string) => {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
  if (!GOLDEN_HEADER.test(text)) throw new Error(`fixture ${name} lacks its golden header`);
  return text.replace(GOLDEN_HEADER, '');
};

const variants: { name: string; platform: AliasPlatform; linuxRedirect?: LinuxRedirect; apply: string; revert: string }[] = [
  { name: 'linux (auto)', platform: 'linux', apply: 'linux-auto-apply.sh', revert: 'linux-revert.sh' },
  { name: 'linux (nftables)', platform: 'linux', linuxRedirect: 'nftables', apply: 'linux-nftables-apply.sh', revert: 'linux-revert.sh' },
  { name: 'linux (iptables)', platform: 'linux', linuxRedirect: 'iptables', apply: 'linux-iptables-apply.sh', revert: 'linux-revert.sh' },
  { name: 'macOS', platform: 'darwin', apply: 'darwin-apply.sh', revert: 'darwin-revert.sh' },
  { name: 'Windows', platform: 'win32', apply: 'win32-apply.cmd', revert: 'win32-revert.cmd' },
];

const planFor = (variant: (typeof variants)[number], port: number): AliasPlan =>
  createAliasPlan({ platform: variant.platform, port, linuxRedirect: variant.linuxRedirect });

/** Every decimal occurrence of the port, and nothing that merely contains its digits. */
const portPattern = (port: number) => new RegExp(`(?<![0-9])${port}(?![0-9])`, 'g');

describe('createAliasPlan', () => {
  describe.each(variants)('$name', (variant) => {
    const plan = planFor(variant, GOLDEN_PORT);

    it('matches the golden apply and revert scripts exactly', () => {
      expect(plan.apply.text).toBe(golden(variant.apply));
      expect(plan.revert.text).toBe(golden(variant.revert));
      expect(plan.apply.shell).toBe(variant.platform === 'win32' ? 'cmd' : 'sh');
    });

    it('varies only by the port: every other byte is a constant', () => {
      const template = (text: string, port: number) => text.replace(portPattern(port), '<PORT>');
      const reference = { apply: template(plan.apply.text, GOLDEN_PORT), revert: template(plan.revert.text, GOLDEN_PORT) };
      fc.assert(
        fc.property(fc.integer({ min: 1024, max: 65535 }), (port) => {
          const other = planFor(variant, port);
          expect(template(other.apply.text, port)).toBe(reference.apply);
          expect(template(other.revert.text, port)).toBe(reference.revert);
          expect(other.addressCheck).toEqual(plan.addressCheck);
          expect(other.listenerCheck).toEqual(plan.listenerCheck);
          expect(other.listenPort).toBe(port);
        }),
        { numRuns: 200 },
      );
    });

    it('puts the address on loopback as a /32 and redirects port 80 to the listen port on the address itself', () => {
      const text = plan.apply.text;
      if (variant.platform === 'linux') expect(text).toContain('ip addr add 169.254.169.254/32 dev lo');
      if (variant.platform === 'darwin') expect(text).toContain('ifconfig lo0 alias 169.254.169.254 255.255.255.255');
      if (variant.platform === 'win32') expect(text).toContain('add address "Loopback Pseudo-Interface 1" 169.254.169.254 255.255.255.255');
      expect(text).not.toMatch(/169\.254\.169\.254\/(?!32)\d+|255\.255\.0\.0|127\.0\.0\.1/);
      expect(text.match(portPattern(GOLDEN_PORT))?.length).toBeGreaterThanOrEqual(1);
      expect(plan.revert.text).not.toMatch(portPattern(GOLDEN_PORT));
    });
  });

  it.each([
    ['linux', ['ip', '-4', '-o', 'addr', 'show'], ['ss', '-H', '-l', '-t', '-n', '-p'], 'lo'],
    ['darwin', ['ifconfig', '-a'], ['lsof', '-nP', '-iTCP@169.254.169.254:80', '-sTCP:LISTEN', '-Fpc'], 'lo0'],
    ['win32', ['netsh', 'interface', 'ipv4', 'show', 'addresses'], ['netstat', '-a', '-n', '-o', '-p', 'TCP'], 'Loopback Pseudo-Interface 1'],
  ] as const)('%s checks run unprivileged commands as argv arrays', (platform, addressCheck, listenerCheck, loopback) => {
    const plan = createAliasPlan({ platform, port: 9911 });
    expect(plan.addressCheck).toEqual(addressCheck);
    expect(plan.listenerCheck).toEqual(listenerCheck);
    expect(plan.loopbackInterface).toBe(loopback);
    expect(plan.address).toBe('169.254.169.254');
  });

  it('names its own kernel objects, never nft\'s `ct` keyword', () => {
    const text = createAliasPlan({ platform: 'linux', port: 9911, linuxRedirect: 'nftables' }).apply.text;
    expect(text).toContain('table ip cloudtoken {');
    expect(text).not.toMatch(/table ip ct\b/);
    expect(createAliasPlan({ platform: 'darwin', port: 9911 }).apply.text).toContain('-a com.apple/com.cloudtoken');
  });

  it.each([80, 0, 1023, 65536, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '9911', '9911; rm -rf /', null, undefined, 9911n])(
    'rejects the port %s with a typed error',
    (port) => {
      for (const platform of ['linux', 'darwin', 'win32'] as const) {
        expect(() => createAliasPlan({ platform, port: port as number })).toThrow(expect.objectContaining({ code: 'network.invalid-port' }));
      }
    },
  );

  it('knows which platforms have a plan, and refuses anything else', () => {
    expect(['linux', 'darwin', 'win32', 'freebsd', 'aix'].filter(isAliasPlatform)).toEqual(['linux', 'darwin', 'win32']);
    expect(() => createAliasPlan({ platform: 'freebsd' as AliasPlatform, port: 9911 })).toThrow(TypeError);
    expect(() => createAliasPlan({ platform: 'linux', port: 9911, linuxRedirect: 'ipfw' as LinuxRedirect })).toThrow(TypeError);
  });

  it('accepts the ends of the range', () => {
    expect(createAliasPlan({ platform: 'linux', port: 1024 }).listenPort).toBe(1024);
    expect(createAliasPlan({ platform: 'linux', port: 65535 }).listenPort).toBe(65535);
  });
});

describe('the shell scripts parse', () => {
  const shells = ['/bin/sh', '/bin/bash'].filter((shell) => spawnSync(shell, ['-c', 'true']).status === 0);
  it.each(variants.filter((v) => v.platform !== 'win32').flatMap((v) => shells.map((shell) => ({ ...v, shell }))))(
    '$name with $shell -n',
    ({ shell, ...variant }) => {
      const plan = planFor(variant, GOLDEN_PORT);
      for (const script of [plan.apply, plan.revert]) {
        const result = spawnSync(shell, ['-n'], { input: script.text, encoding: 'utf8' });
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
      }
    },
  );
});
