import type { IncomingMessage } from 'node:http';

/**
 * Checks shared by the metadata app and the container-credentials app. Each runs on every request, so each
 * is a string compare or a Set lookup: no regex, no URL parsing, no allocation on the accepting path.
 */

/** The link-local address of the EC2 instance metadata service. */
export const LINK_LOCAL_ADDRESS = '169.254.169.254';

/**
 * Loopback (127.0.0.0/8, ::1, also as IPv4-mapped IPv6) or the link-local alias: inside the namespace a test
 * or a user sets up, connections to the alias arrive from the alias itself. Anything else is another machine.
 */
export function isLocalClient(address: string | undefined): boolean {
  if (address === undefined) return false;
  return (
    address.startsWith('127.') ||
    address === '::1' ||
    address.startsWith('::ffff:127.') ||
    address === LINK_LOCAL_ADDRESS ||
    address === `::ffff:${LINK_LOCAL_ADDRESS}`
  );
}

/**
 * The `Host` allow-list, the defence against DNS rebinding (a browser page whose name resolves to 127.0.0.1
 * still sends its own name as Host). Always the alias with and without :80; the loopback names with the port
 * the request actually arrived on (so port 0 in tests and any configured port need no set-up); plus `extra`.
 */
export function createHostCheck(extra: Iterable<string> = []): (req: IncomingMessage) => boolean {
  const fixed = new Set<string>([LINK_LOCAL_ADDRESS, `${LINK_LOCAL_ADDRESS}:80`]);
  for (const host of extra) fixed.add(host.toLowerCase());
  const perPort = new Map<number, Set<string>>();
  const hostsFor = (port: number): Set<string> => {
    let hosts = perPort.get(port);
    if (!hosts) {
      hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${LINK_LOCAL_ADDRESS}:${port}`]);
      perPort.set(port, hosts);
    }
    return hosts;
  };
  return (req) => {
    const raw = req.headers.host;
    if (raw === undefined) return false;
    const host = raw.toLowerCase();
    if (fixed.has(host)) return true;
    const port = req.socket.localPort;
    return port !== undefined && hostsFor(port).has(host);
  };
}

/** True when the request announces a body. Neither endpoint takes one, so none is ever read. */
export function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** The path a request names: no query string, and a run of leading slashes counts as one (`//latest/…`). */
export function requestPath(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  let path = query === -1 ? url : url.slice(0, query);
  let start = 0;
  while (path.charCodeAt(start) === 47 && path.charCodeAt(start + 1) === 47) start += 1;
  if (start > 0) path = path.slice(start);
  return path;
}
