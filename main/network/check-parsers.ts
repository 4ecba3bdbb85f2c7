/**
 * Pure parsers for the unprivileged check commands of an `AliasPlan`. They read addresses, ports and process
 * ids — the parts of the output no locale translates — and ignore the prose around them.
 */
import type { AliasPlatform } from './alias-plan.js';

export interface InterfaceAddress {
  readonly interface: string;
  readonly address: string;
  /** Prefix length where the OS prints one (Linux, macOS). */
  readonly prefixLength?: number;
}

export interface ListeningProcess {
  readonly pid: number;
  readonly name?: string;
}

export interface Listener {
  readonly address: string;
  readonly port: number;
  /** Empty when the OS hides the owner (another user's process seen without privileges). */
  readonly processes: readonly ListeningProcess[];
}

export function parseAddresses(platform: AliasPlatform, stdout: string): InterfaceAddress[] {
  if (platform === 'linux') return parseIpAddrOneline(stdout);
  if (platform === 'darwin') return parseIfconfig(stdout);
  return parseNetshAddresses(stdout);
}

export function parseListeners(platform: AliasPlatform, stdout: string): Listener[] {
  if (platform === 'linux') return parseSs(stdout);
  if (platform === 'darwin') return parseLsofFields(stdout);
  return parseNetstat(stdout);
}

/** `ip -4 -o addr show`: `1: lo    inet 169.254.169.254/32 scope global lo\ valid_lft …` */
export function parseIpAddrOneline(stdout: string): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^\d+:\s+(\S+)\s+inet\s+(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})\s/.exec(line);
    if (!match) continue;
    out.push({ interface: match[1]!, address: match[2]!, prefixLength: Number(match[3]) });
  }
  return out;
}

/** `ifconfig -a`: an unindented `name: flags=…` line opens a block; `\tinet a.b.c.d netmask 0xffffffff` lines follow. */
export function parseIfconfig(stdout: string): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  let current: string | undefined;
  for (const line of stdout.split('\n')) {
    const header = /^([A-Za-z0-9_.-]+):\s/.exec(line);
    if (header) {
      current = header[1];
      continue;
    }
    // Point-to-point interfaces (VPN tunnels) print `inet A --> B netmask …`; the address is A.
    const inet = /^\s+inet\s+(\d{1,3}(?:\.\d{1,3}){3})\s+(?:-->\s+\S+\s+)?netmask\s+0x([0-9a-fA-F]{8})/.exec(line);
    if (inet && current !== undefined) {
      out.push({ interface: current, address: inet[1]!, prefixLength: maskBits(inet[2]!) });
    }
  }
  return out;
}

function maskBits(hex: string): number {
  let bits = 0;
  for (let value = Number.parseInt(hex, 16); value; value = (value << 1) >>> 0) bits += 1;
  return bits;
}

/**
 * `netsh interface ipv4 show addresses`: each block starts with a line naming the interface in double quotes
 * (the words around it are localized); address lines end in a dotted quad. Subnet-prefix lines carry a `/`
 * and are skipped. A gateway line is indistinguishable without its label and is listed too: a gateway at
 * 169.254.169.254 is someone else's metadata service just the same.
 */
export function parseNetshAddresses(stdout: string): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  let current: string | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    const header = /^\S.*"([^"]+)"\s*$/.exec(line);
    if (header) {
      current = header[1];
      continue;
    }
    const address = /:\s+(\d{1,3}(?:\.\d{1,3}){3})\s*$/.exec(line);
    if (address && current !== undefined) out.push({ interface: current, address: address[1]! });
  }
  return out;
}

/** `ss -H -l -t -n -p`: `LISTEN 0 511 169.254.169.254:80 0.0.0.0:* users:(("nginx",pid=12,fd=6),…)` */
export function parseSs(stdout: string): Listener[] {
  const out: Listener[] = [];
  for (const line of stdout.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const local = fields[3] ? splitHostPort(fields[3]) : undefined;
    if (fields[0] !== 'LISTEN' || !local) continue;
    const processes = [...line.matchAll(/\("((?:[^"\\]|\\.)*)",pid=(\d+),/g)].map((m) => ({ name: m[1]!, pid: Number(m[2]) }));
    out.push({ ...local, processes });
  }
  return out;
}

/**
 * `lsof -nP -iTCP@169.254.169.254:80 -sTCP:LISTEN -Fpc`: lsof already filtered by address and state, so
 * every process it prints listens there; `p<pid>` starts a process, `c<command>` names it.
 */
export function parseLsofFields(stdout: string, address = '169.254.169.254', port = 80): Listener[] {
  const processes: { pid: number; name?: string }[] = [];
  for (const line of stdout.split('\n')) {
    if (/^p\d+$/.test(line)) processes.push({ pid: Number(line.slice(1)) });
    else if (line.startsWith('c') && processes.length > 0) processes[processes.length - 1]!.name = line.slice(1);
  }
  return processes.length > 0 ? [{ address, port, processes }] : [];
}

/**
 * `netstat -a -n -o -p TCP`: `  TCP    169.254.169.254:80    0.0.0.0:0    LISTENING    4`. The state word is
 * localized, so a listener is recognised by its unspecified foreign address instead.
 */
export function parseNetstat(stdout: string): Listener[] {
  const out: Listener[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 5 || fields[0] !== 'TCP' || fields[2] !== '0.0.0.0:0') continue;
    const local = splitHostPort(fields[1]!);
    const pid = Number(fields[4]);
    if (!local || !Number.isInteger(pid)) continue;
    out.push({ ...local, processes: [{ pid }] });
  }
  return out;
}

function splitHostPort(value: string): { address: string; port: number } | undefined {
  const match = /^\[?([^\]]*?)\]?(?:%\S+)?:(\d+)$/.exec(value);
  if (!match) return undefined;
  return { address: match[1]!, port: Number(match[2]) };
}
