/**
 * Whether port 80 on the address really reaches our listen port. Reading the nftables, iptables or pf rules
 * needs root, so an unprivileged app checks the effect instead: listen briefly on address:<port>, connect to
 * address:80 and see whether the connection arrives.
 */
import { createConnection, createServer, type Server } from 'node:net';
import { METADATA_PORT } from './alias-plan.js';

export type RedirectState = 'present' | 'absent';

export interface RedirectProbeOptions {
  readonly address: string;
  readonly listenPort: number;
  readonly timeoutMs?: number;
}

export type RedirectProbe = () => Promise<RedirectState>;

export function createRedirectProbe(options: RedirectProbeOptions): RedirectProbe {
  const timeoutMs = options.timeoutMs ?? 1000;
  return async () => {
    const server = createServer();
    let arrived = false;
    server.on('connection', (socket) => {
      arrived = true;
      socket.destroy();
    });
    const listening = await listen(server, options.address, options.listenPort);
    if (listening === 'no-address') return 'absent';
    try {
      const connected = await connect(options.address, METADATA_PORT, timeoutMs);
      if (listening === 'in-use') {
        // Our own server (or someone) already holds the listen port: port 80 answering is the best evidence left.
        return connected ? 'present' : 'absent';
      }
      if (connected) await waitFor(() => arrived, timeoutMs);
      return arrived ? 'present' : 'absent';
    } finally {
      if (listening === 'listening') await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  };
}

function listen(server: Server, host: string, port: number): Promise<'listening' | 'in-use' | 'no-address'> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve('in-use');
      else if (error.code === 'EADDRNOTAVAIL') resolve('no-address');
      else reject(error);
    });
    server.listen({ host, port, exclusive: true }, () => resolve('listening'));
  });
}

function connect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}
