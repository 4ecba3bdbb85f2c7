/**
 * Pure: what each OS needs so that AWS clients reaching http://169.254.169.254/ (port 80) land on the
 * unprivileged credential server listening on 169.254.169.254:<port>.
 *
 * The admin step only adds the address (always a /32, on loopback) and a kernel redirect from port 80 to
 * <port>; the server itself never runs as root. Each elevated run is one script, built from constants and
 * the validated integer port — nothing else is interpolated. The scripts check before they add, so running
 * one twice changes nothing, and they exit with `STEP_EXIT_CODES` so failures are read from exit codes,
 * never from localized messages.
 */
import { LIMITS } from '../settings/schema.js';
import { invalidPortError, STEP_EXIT_CODES } from './errors.js';

export const METADATA_ADDRESS = '169.254.169.254';
export const METADATA_PORT = 80;

export type AliasPlatform = 'linux' | 'darwin' | 'win32';

/** Linux only: which kernel redirect the apply script installs. `auto` picks nft when it is installed. */
export type LinuxRedirect = 'auto' | 'nftables' | 'iptables';

/** A command as an argv array, run without a shell. */
export type Command = readonly string[];

/** One script for one elevated run: `sh` for Linux and macOS, a `cmd` batch file for Windows. */
export interface ElevatedScript {
  readonly shell: 'sh' | 'cmd';
  readonly text: string;
}

export interface AliasPlan {
  readonly platform: AliasPlatform;
  readonly address: typeof METADATA_ADDRESS;
  /** Where the credential server listens; port 80 on the address is redirected here. */
  readonly listenPort: number;
  /** The interface that should hold the address. */
  readonly loopbackInterface: string;
  /** Unprivileged: lists the IPv4 addresses of every interface (parsed by `parseAddresses`). */
  readonly addressCheck: Command;
  /** Unprivileged: lists TCP listeners (parsed by `parseListeners`); the OS may hide other users' processes. */
  readonly listenerCheck: Command;
  readonly apply: ElevatedScript;
  readonly revert: ElevatedScript;
}

export interface AliasPlanOptions {
  readonly platform: AliasPlatform;
  readonly port: number;
  readonly linuxRedirect?: LinuxRedirect;
}

/** Names of our own kernel objects: constants, so revert finds exactly what apply made. */
export const NFT_TABLE = 'cloudtoken';
export const IPTABLES_CHAIN = 'CLOUDTOKEN';
export const PF_ANCHOR = 'com.apple/com.cloudtoken';
/** Root-only and emptied at boot, like pf's references themselves. */
export const PF_TOKEN_FILE = '/var/run/com.cloudtoken.pf-token';
export const WINDOWS_LOOPBACK = 'Loopback Pseudo-Interface 1';

export function validatePort(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < LIMITS.imdsPort.min || value > LIMITS.imdsPort.max) {
    throw invalidPortError(value);
  }
  return value;
}

/** Narrows `process.platform`: elsewhere there is no plan, and the app serves on loopback only. */
export function isAliasPlatform(platform: string): platform is AliasPlatform {
  return platform === 'linux' || platform === 'darwin' || platform === 'win32';
}

export function createAliasPlan(options: AliasPlanOptions): AliasPlan {
  const port = validatePort(options.port);
  const redirect = options.linuxRedirect ?? 'auto';
  if (!['auto', 'nftables', 'iptables'].includes(redirect)) throw new TypeError(`unknown Linux redirect ${String(redirect)}`);
  switch (options.platform) {
    case 'linux':
      return linuxPlan(port, redirect);
    case 'darwin':
      return darwinPlan(port);
    case 'win32':
      return windowsPlan(port);
    default:
      throw new TypeError(`unsupported platform ${String(options.platform)}`);
  }
}

const { address: EXIT_ADDRESS, redirect: EXIT_REDIRECT, firewall: EXIT_FIREWALL } = STEP_EXIT_CODES;
const ADDRESS_PATTERN = METADATA_ADDRESS.replaceAll('.', '\\.');

function shScript(purpose: string, path: string, body: readonly string[]): ElevatedScript {
  const header = [
    '#!/bin/sh',
    `# Cloudtoken: ${purpose}`,
    '# Generated from constants; the only variable part is the validated port number.',
    `PATH=${path}`,
    'export PATH',
  ];
  return { shell: 'sh', text: `${[...header, ...body].join('\n')}\n` };
}

/** Indents nested shell lines, except a here-document's body and terminator, which must stay as written. */
function indent(lines: readonly string[]): string[] {
  let terminator: string | undefined;
  return lines.map((line) => {
    if (terminator !== undefined) {
      if (line === terminator) terminator = undefined;
      return line;
    }
    terminator = /<<'([A-Z_]+)'/.exec(line)?.[1];
    return `  ${line}`;
  });
}

// ---------------------------------------------------------------------------------------------- Linux

const LINUX_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const LINUX_HAS_ADDRESS = `ip -4 -o addr show dev lo | grep -q 'inet ${ADDRESS_PATTERN}/32 '`;

function linuxPlan(port: number, redirect: LinuxRedirect): AliasPlan {
  const nft = nftApply(port);
  const iptables = iptablesApply(port);
  const redirectLines =
    redirect === 'nftables'
      ? nft
      : redirect === 'iptables'
        ? iptables
        : ['if command -v nft >/dev/null 2>&1; then', ...indent(nft), 'else', ...indent(iptables), 'fi'];
  return {
    platform: 'linux',
    address: METADATA_ADDRESS,
    listenPort: port,
    loopbackInterface: 'lo',
    addressCheck: ['ip', '-4', '-o', 'addr', 'show'],
    listenerCheck: ['ss', '-H', '-l', '-t', '-n', '-p'],
    apply: shScript('route http://169.254.169.254/ to the local credential server (apply)', LINUX_PATH, [
      `if ! ${LINUX_HAS_ADDRESS}; then`,
      `  ip addr add ${METADATA_ADDRESS}/32 dev lo || exit ${EXIT_ADDRESS}`,
      'fi',
      ...redirectLines,
    ]),
    // Revert removes whichever redirect exists, so switching tools never strands a rule.
    revert: shScript('route http://169.254.169.254/ to the local credential server (revert)', LINUX_PATH, [
      'if command -v nft >/dev/null 2>&1; then',
      `  nft delete table ip ${NFT_TABLE} 2>/dev/null`,
      `  if nft list table ip ${NFT_TABLE} >/dev/null 2>&1; then exit ${EXIT_REDIRECT}; fi`,
      'fi',
      'if command -v iptables >/dev/null 2>&1; then',
      ...indent(iptablesRemove('-t nat', 'OUTPUT', EXIT_REDIRECT)),
      ...indent(iptablesRemove('', 'INPUT', EXIT_FIREWALL)),
      'fi',
      `if ${LINUX_HAS_ADDRESS}; then`,
      `  ip addr del ${METADATA_ADDRESS}/32 dev lo || exit ${EXIT_ADDRESS}`,
      'fi',
    ]),
  };
}

/**
 * One `nft -f` transaction: declaring the table first makes the delete succeed on a first run, and the
 * whole file applies atomically. The input chain keeps other machines on the link from reaching the
 * address (Linux accepts packets for any local address on any interface).
 */
function nftApply(port: number): string[] {
  return [
    `nft -f - <<'CLOUDTOKEN_NFT' || exit ${EXIT_REDIRECT}`,
    `table ip ${NFT_TABLE}`,
    `delete table ip ${NFT_TABLE}`,
    `table ip ${NFT_TABLE} {`,
    '\tchain output {',
    '\t\ttype nat hook output priority -100; policy accept;',
    `\t\tip daddr ${METADATA_ADDRESS} tcp dport ${METADATA_PORT} dnat to ${METADATA_ADDRESS}:${port}`,
    '\t}',
    '\tchain input {',
    '\t\ttype filter hook input priority -100; policy accept;',
    `\t\tiifname != "lo" ip daddr ${METADATA_ADDRESS} drop`,
    '\t}',
    '}',
    'CLOUDTOKEN_NFT',
  ];
}

/**
 * Our own chains, jumped to from OUTPUT (nat) and INPUT (filter): re-applying flushes and refills them, and
 * revert removes them without touching anyone else's rules. DNAT goes to the alias, not REDIRECT, which
 * would rewrite the destination to 127.0.0.1 where the server does not listen.
 */
function iptablesApply(port: number): string[] {
  return [
    `iptables -t nat -N ${IPTABLES_CHAIN} 2>/dev/null`,
    `iptables -t nat -F ${IPTABLES_CHAIN} || exit ${EXIT_REDIRECT}`,
    `iptables -t nat -A ${IPTABLES_CHAIN} -d ${METADATA_ADDRESS}/32 -p tcp --dport ${METADATA_PORT} -j DNAT --to-destination ${METADATA_ADDRESS}:${port} || exit ${EXIT_REDIRECT}`,
    `iptables -t nat -C OUTPUT -j ${IPTABLES_CHAIN} 2>/dev/null || iptables -t nat -I OUTPUT -j ${IPTABLES_CHAIN} || exit ${EXIT_REDIRECT}`,
    `iptables -N ${IPTABLES_CHAIN} 2>/dev/null`,
    `iptables -F ${IPTABLES_CHAIN} || exit ${EXIT_FIREWALL}`,
    `iptables -A ${IPTABLES_CHAIN} ! -i lo -d ${METADATA_ADDRESS}/32 -j DROP || exit ${EXIT_FIREWALL}`,
    `iptables -C INPUT -j ${IPTABLES_CHAIN} 2>/dev/null || iptables -I INPUT -j ${IPTABLES_CHAIN} || exit ${EXIT_FIREWALL}`,
  ];
}

function iptablesRemove(table: string, hook: string, exitCode: number): string[] {
  const iptables = table ? `iptables ${table}` : 'iptables';
  return [
    `while ${iptables} -D ${hook} -j ${IPTABLES_CHAIN} 2>/dev/null; do :; done`,
    `${iptables} -F ${IPTABLES_CHAIN} 2>/dev/null`,
    `${iptables} -X ${IPTABLES_CHAIN} 2>/dev/null`,
    `if ${iptables} -S ${IPTABLES_CHAIN} >/dev/null 2>&1; then exit ${exitCode}; fi`,
  ];
}

// ---------------------------------------------------------------------------------------------- macOS

const DARWIN_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';
const DARWIN_HAS_ADDRESS = `ifconfig lo0 | grep -q 'inet ${ADDRESS_PATTERN} netmask 0xffffffff'`;

/**
 * Since Mojave an unprivileged process may bind ports below 1024 only on the wildcard address; binding a
 * specific address such as 127.0.0.1:80 or 169.254.169.254:80 still fails with EACCES
 * (https://zameermanji.com/blog/2024/1/5/binding-to-privileged-ports-without-root-on-macos/,
 * https://github.com/apple/container/issues/1985, https://developer.apple.com/forums/thread/674179). A wildcard listener would expose credentials to the network, so port 80
 * is redirected by pf instead. The anchor lives under `com.apple/`, which the stock /etc/pf.conf already
 * evaluates (`rdr-anchor "com.apple/*"`, `anchor "com.apple/*"`), so pf.conf is never edited.
 */
function darwinPlan(port: number): AliasPlan {
  const rules = [
    `rdr pass on lo0 inet proto tcp from any to ${METADATA_ADDRESS} port ${METADATA_PORT} -> ${METADATA_ADDRESS} port ${port}`,
    `block drop in quick on ! lo0 inet from any to ${METADATA_ADDRESS}`,
  ];
  return {
    platform: 'darwin',
    address: METADATA_ADDRESS,
    listenPort: port,
    loopbackInterface: 'lo0',
    addressCheck: ['ifconfig', '-a'],
    listenerCheck: ['lsof', '-nP', `-iTCP@${METADATA_ADDRESS}:${METADATA_PORT}`, '-sTCP:LISTEN', '-Fpc'],
    apply: shScript('route http://169.254.169.254/ to the local credential server (apply)', DARWIN_PATH, [
      `if ! ${DARWIN_HAS_ADDRESS}; then`,
      `  ifconfig lo0 alias ${METADATA_ADDRESS} 255.255.255.255 || exit ${EXIT_ADDRESS}`,
      'fi',
      `pfctl -q -a ${PF_ANCHOR} -f - <<'CLOUDTOKEN_PF' || exit ${EXIT_REDIRECT}`,
      ...rules,
      'CLOUDTOKEN_PF',
      // -E takes a counted reference on pf instead of switching it on for everyone; its token (printed as
      // `Token : <n>`) is kept so revert can release it. A reference from an earlier run is released last.
      `enabled=$(pfctl -E 2>&1) || exit ${EXIT_REDIRECT}`,
      `previous=$(cat ${PF_TOKEN_FILE} 2>/dev/null)`,
      `printf '%s\\n' "$enabled" | sed -n 's/^Token : \\([0-9][0-9]*\\)$/\\1/p' > ${PF_TOKEN_FILE}`,
      ...releasePfToken('previous'),
    ]),
    revert: shScript('route http://169.254.169.254/ to the local credential server (revert)', DARWIN_PATH, [
      `pfctl -q -a ${PF_ANCHOR} -F all >/dev/null 2>&1 || exit ${EXIT_REDIRECT}`,
      `token=$(cat ${PF_TOKEN_FILE} 2>/dev/null)`,
      ...releasePfToken('token'),
      `rm -f ${PF_TOKEN_FILE}`,
      `if ${DARWIN_HAS_ADDRESS}; then`,
      `  ifconfig lo0 -alias ${METADATA_ADDRESS} || exit ${EXIT_ADDRESS}`,
      'fi',
    ]),
  };
}

/** Only a number read back from our own root-owned file ever reaches `pfctl -X`. */
function releasePfToken(variable: string): string[] {
  return [`case "$${variable}" in`, `  ''|*[!0-9]*) ;;`, `  *) pfctl -X "$${variable}" >/dev/null 2>&1 ;;`, 'esac'];
}

// -------------------------------------------------------------------------------------------- Windows

const NETSH_LOOPBACK = `netsh interface ipv4 show addresses "${WINDOWS_LOOPBACK}"`;
const FIND_ADDRESS = `findstr /L /C:"${METADATA_ADDRESS}" >nul`;
const PORTPROXY_DELETE = `netsh interface portproxy delete v4tov4 listenaddress=${METADATA_ADDRESS} listenport=${METADATA_PORT}`;

function cmdScript(purpose: string, body: readonly string[]): ElevatedScript {
  const lines = ['@echo off', `rem Cloudtoken: ${purpose}`, 'rem Generated from constants; the only variable part is the validated port number.', ...body, 'exit /b 0'];
  return { shell: 'cmd', text: `${lines.join('\r\n')}\r\n` };
}

/**
 * Windows has no privileged ports, but a portproxy keeps the server on the same high port as everywhere
 * else. Windows receives with the strong host model, so the loopback address is not reachable from the
 * network and needs no firewall rule. Checks match the address, never netsh's localized wording.
 */
function windowsPlan(port: number): AliasPlan {
  return {
    platform: 'win32',
    address: METADATA_ADDRESS,
    listenPort: port,
    loopbackInterface: WINDOWS_LOOPBACK,
    addressCheck: ['netsh', 'interface', 'ipv4', 'show', 'addresses'],
    listenerCheck: ['netstat', '-a', '-n', '-o', '-p', 'TCP'],
    apply: cmdScript('route http://169.254.169.254/ to the local credential server (apply)', [
      `${NETSH_LOOPBACK} | ${FIND_ADDRESS}`,
      'if errorlevel 1 (',
      `  netsh interface ipv4 add address "${WINDOWS_LOOPBACK}" ${METADATA_ADDRESS} 255.255.255.255 || exit /b ${EXIT_ADDRESS}`,
      ')',
      `${PORTPROXY_DELETE} >nul 2>&1`,
      `netsh interface portproxy add v4tov4 listenaddress=${METADATA_ADDRESS} listenport=${METADATA_PORT} connectaddress=${METADATA_ADDRESS} connectport=${port} || exit /b ${EXIT_REDIRECT}`,
    ]),
    revert: cmdScript('route http://169.254.169.254/ to the local credential server (revert)', [
      `${PORTPROXY_DELETE} >nul 2>&1`,
      `netsh interface portproxy show v4tov4 | ${FIND_ADDRESS}`,
      `if not errorlevel 1 exit /b ${EXIT_REDIRECT}`,
      `${NETSH_LOOPBACK} | ${FIND_ADDRESS}`,
      'if not errorlevel 1 (',
      `  netsh interface ipv4 delete address "${WINDOWS_LOOPBACK}" ${METADATA_ADDRESS} || exit /b ${EXIT_ADDRESS}`,
      ')',
    ]),
  };
}
