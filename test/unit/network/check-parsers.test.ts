// 169.254.169.254 appears here only as text; no traffic goes to it (real traffic to it happens only inside a
// network namespace a test creates with unshare — see test/support/netns.ts).
import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  parseAddresses,
  parseIfconfig,
  parseIpAddrOneline,
  parseListeners,
  parseLsofFields,
  parseNetshAddresses,
  parseNetstat,
  parseSs,
} from '../../../main/network/check-parsers.js';

describe('parseIpAddrOneline (ip -4 -o addr show)', () => {
  const output = [
    '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
    '1: lo    inet 169.254.169.254/24 scope global lo:0\\       valid_lft forever preferred_lft forever',
    '1: lo    inet 169.254.169.254/32 scope global lo\\       valid_lft forever preferred_lft forever',
    '2: eth0    inet 192.168.1.20/24 brd 192.168.1.255 scope global dynamic noprefixroute eth0\\       valid_lft 85000sec preferred_lft 85000sec',
    '7: tun0    inet 169.254.169.254/16 scope global tun0\\       valid_lft forever preferred_lft forever',
    '',
  ].join('\n');

  it('lists every IPv4 address with its interface and prefix', () => {
    expect(parseIpAddrOneline(output)).toEqual([
      { interface: 'lo', address: '127.0.0.1', prefixLength: 8 },
      { interface: 'lo', address: '169.254.169.254', prefixLength: 24 },
      { interface: 'lo', address: '169.254.169.254', prefixLength: 32 },
      { interface: 'eth0', address: '192.168.1.20', prefixLength: 24 },
      { interface: 'tun0', address: '169.254.169.254', prefixLength: 16 },
    ]);
    expect(parseAddresses('linux', output)).toEqual(parseIpAddrOneline(output));
  });

  it('reads the real `ip` of this machine', () => {
    const result = spawnSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(parseIpAddrOneline(result.stdout)).toContainEqual({ interface: 'lo', address: '127.0.0.1', prefixLength: 8 });
  });

  it('ignores lines it does not know', () => {
    expect(parseIpAddrOneline('garbage\n1: lo    inet6 ::1/128 scope host\n')).toEqual([]);
  });
});

describe('parseIfconfig (macOS ifconfig -a)', () => {
  const output = [
    'lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384',
    '\toptions=1203<RXCSUM,TXCSUM,TXSTATUS,SW_TIMESTAMP>',
    '\tinet 127.0.0.1 netmask 0xff000000',
    '\tinet6 ::1 prefixlen 128 ',
    '\tinet 169.254.169.254 netmask 0xffffffff',
    '\tnd6 options=201<PERFORMNUD,DAD>',
    'en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500',
    '\tether 3c:22:fb:00:00:01',
    '\tinet 192.168.1.30 netmask 0xffffff00 broadcast 192.168.1.255',
    'utun4: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1380',
    '\tinet 169.254.169.254 --> 169.254.169.254 netmask 0xffff0000',
    '',
  ].join('\n');

  it('lists addresses per interface (tunnels too), converting the hex netmask to a prefix length', () => {
    expect(parseIfconfig(output)).toEqual([
      { interface: 'lo0', address: '127.0.0.1', prefixLength: 8 },
      { interface: 'lo0', address: '169.254.169.254', prefixLength: 32 },
      { interface: 'en0', address: '192.168.1.30', prefixLength: 24 },
      { interface: 'utun4', address: '169.254.169.254', prefixLength: 16 },
    ]);
    expect(parseAddresses('darwin', output)).toEqual(parseIfconfig(output));
  });
});

describe('parseNetshAddresses (netsh interface ipv4 show addresses)', () => {
  const english = [
    '',
    'Configuration for interface "Ethernet"',
    '    DHCP enabled:                         Yes',
    '    IP Address:                           192.168.1.40',
    '    Subnet Prefix:                        192.168.1.0/24 (mask 255.255.255.0)',
    '    Default Gateway:                      192.168.1.1',
    '',
    'Configuration for interface "Loopback Pseudo-Interface 1"',
    '    DHCP enabled:                         No',
    '    IP Address:                           127.0.0.1',
    '    Subnet Prefix:                        127.0.0.0/8 (mask 255.0.0.0)',
    '    IP Address:                           169.254.169.254',
    '    Subnet Prefix:                        169.254.169.254/32 (mask 255.255.255.255)',
    '',
  ].join('\r\n');
  const german = english
    .replaceAll('Configuration for interface', 'Konfiguration für Schnittstelle')
    .replaceAll('IP Address', 'IP-Adresse')
    .replaceAll('Default Gateway', 'Standardgateway');

  it('reads addresses per interface whatever the display language', () => {
    const expected = [
      { interface: 'Ethernet', address: '192.168.1.40' },
      { interface: 'Ethernet', address: '192.168.1.1' },
      { interface: 'Loopback Pseudo-Interface 1', address: '127.0.0.1' },
      { interface: 'Loopback Pseudo-Interface 1', address: '169.254.169.254' },
    ];
    expect(parseNetshAddresses(english)).toEqual(expected);
    expect(parseNetshAddresses(german)).toEqual(expected);
    expect(parseAddresses('win32', english)).toEqual(expected);
  });
});

describe('listeners', () => {
  it('parses ss -H -l -t -n -p, with and without visible owners', () => {
    const output = [
      'LISTEN 0      511    169.254.169.254:80        0.0.0.0:*    users:(("nginx",pid=812,fd=6),("nginx",pid=811,fd=6))',
      'LISTEN 0      4096   127.0.0.53%lo:53          0.0.0.0:*',
      'LISTEN 0      128             [::]:22             [::]:*    users:(("sshd",pid=90,fd=4))',
      '',
    ].join('\n');
    expect(parseSs(output)).toEqual([
      { address: '169.254.169.254', port: 80, processes: [{ name: 'nginx', pid: 812 }, { name: 'nginx', pid: 811 }] },
      { address: '127.0.0.53', port: 53, processes: [] },
      { address: '::', port: 22, processes: [{ name: 'sshd', pid: 90 }] },
    ]);
  });

  it('finds a real listener of this process with the real ss', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const result = spawnSync('ss', ['-H', '-l', '-t', '-n', '-p'], { encoding: 'utf8' });
      expect(result.status).toBe(0);
      const mine = parseListeners('linux', result.stdout).find((l) => l.address === '127.0.0.1' && l.port === port);
      expect(mine?.processes.map((p) => p.pid)).toContain(process.pid);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('parses lsof -Fpc (macOS): every printed process listens on the filtered address', () => {
    expect(parseLsofFields('p412\ncaws-vault\np413\ncnode\n')).toEqual([
      { address: '169.254.169.254', port: 80, processes: [{ pid: 412, name: 'aws-vault' }, { pid: 413, name: 'node' }] },
    ]);
    expect(parseListeners('darwin', '')).toEqual([]);
  });

  it('parses netstat -a -n -o -p TCP (Windows) by the foreign address, not the localized state', () => {
    const output = [
      '',
      'Active Connections',
      '',
      '  Proto  Local Address          Foreign Address        State           PID',
      '  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1040',
      '  TCP    169.254.169.254:80     0.0.0.0:0              ABHÖREN         4',
      '  TCP    192.168.1.40:50412     140.82.112.22:443      ESTABLISHED     7312',
      '',
    ].join('\r\n');
    expect(parseNetstat(output)).toEqual([
      { address: '0.0.0.0', port: 135, processes: [{ pid: 1040 }] },
      { address: '169.254.169.254', port: 80, processes: [{ pid: 4 }] },
    ]);
    expect(parseListeners('win32', output)).toEqual(parseNetstat(output));
  });
});
