import { createServer as createHttpServer, STATUS_CODES } from 'node:http';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './free-ports.js';

/**
 * A loopback TCP proxy in front of a real peer (the IdP, the STS stand-in) that a test turns into a broken
 * network at will. Faults act on the wire, so the code under test meets real ECONNREFUSED, ECONNRESET,
 * timeouts and HTTP errors, not simulated ones.
 */
export type ProxyFault =
  | { kind: 'pass' }
  /** Nothing listens on the port: connections are refused. */
  | { kind: 'refuse' }
  /** Connections are accepted, then reset (RST) at once. */
  | { kind: 'reset' }
  /** Connections are accepted and never answered. */
  | { kind: 'hang' }
  /** Every connection waits this long before it is passed on. */
  | { kind: 'delay'; ms: number }
  /** Every request gets this HTTP status (503, 429 …) without reaching the peer. */
  | { kind: 'status'; status: number; headers?: Record<string, string> };

export interface FaultProxy {
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Where connections go when passed on; settable after start, for peers that must know the proxy's port first. */
  targetPort: number | undefined;
  /** Applies a fault to every new connection and cuts the ones open, as an outage would. */
  setFault(fault: ProxyFault): Promise<void>;
  /** Connections accepted so far, per fault kind that met them. */
  readonly connections: Record<ProxyFault['kind'], number>;
  close(): Promise<void>;
}

export async function startFaultProxy(options: { targetPort?: number } = {}): Promise<FaultProxy> {
  let fault: ProxyFault = { kind: 'pass' };
  const open = new Set<Socket>();
  const connections: Record<ProxyFault['kind'], number> = { pass: 0, refuse: 0, reset: 0, hang: 0, delay: 0, status: 0 };
  // Below the ephemeral range: while it refuses (nothing listening), no client socket can take the port.
  let port = await freePort();
  let server: Server | undefined;

  const track = (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const forward = (client: Socket) => {
    if (proxy.targetPort === undefined) return client.destroy();
    const upstream = createConnection({ host: '127.0.0.1', port: proxy.targetPort });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  };

  // Node's own HTTP parser answers the status, so the reply is well-formed for every client.
  const statusServer = createHttpServer((request, response) => {
    const current = fault.kind === 'status' ? fault : { status: 503, headers: {} };
    const reason = STATUS_CODES[current.status] ?? 'Error';
    request.resume();
    response.writeHead(current.status, { 'content-type': 'text/html', connection: 'close', ...current.headers });
    response.end(`<html><body>${current.status} ${reason} (fault proxy)</body></html>`);
  });

  const onConnection = (client: Socket) => {
    track(client);
    const current = fault;
    connections[current.kind] += 1;
    switch (current.kind) {
      case 'pass':
      case 'refuse':
        return forward(client);
      case 'reset':
        return client.resetAndDestroy();
      case 'hang':
        return;
      case 'delay': {
        client.pause();
        const timer = setTimeout(() => {
          client.resume();
          forward(client);
        }, current.ms);
        client.on('close', () => clearTimeout(timer));
        return;
      }
      case 'status':
        return void statusServer.emit('connection', client);
    }
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer(onConnection);
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        const address = next.address();
        if (typeof address === 'object' && address) port = address.port;
        server = next;
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      const current = server;
      server = undefined;
      if (!current) return resolve();
      current.close(() => resolve());
    });

  await listen();
  const proxy: FaultProxy = {
    port,
    url: `http://127.0.0.1:${port}`,
    targetPort: options.targetPort,
    connections,
    async setFault(next) {
      fault = next;
      for (const socket of open) socket.destroy();
      if (next.kind === 'refuse') await stopListening();
      else if (!server) await listen();
    },
    async close() {
      for (const socket of open) socket.destroy();
      await stopListening();
    },
  };
  return proxy;
}
