import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { Express } from 'express';
import type { Clock } from '../../../main/support/clock.js';
import { startMetadataServer } from '../../../main/imds/server.js';
import type { RunningServer } from '../../../main/imds/server.js';

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 0, 1)): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => start + offset,
    monotonic: () => 1_000_000 + offset,
    advance(ms) {
      offset += ms;
    },
  };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Served {
  server: RunningServer;
  /** A request with full control over Host and path (fetch forbids setting Host and normalises paths). */
  send(options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Reply>;
  /** Bytes written as they are, for requests no HTTP client would produce. */
  raw(text: string): Promise<string>;
}

export async function serve(app: Express): Promise<Served> {
  const server = await startMetadataServer({ app, host: '127.0.0.1', port: 0 });
  const { port } = server;
  return {
    server,
    send: ({ method = 'GET', path, headers = {}, body }) =>
      new Promise<Reply>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, method, path, headers: { Host: `127.0.0.1:${port}`, ...headers }, agent: false },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    raw: (text) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(text));
        let received = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (received += chunk));
        socket.on('end', () => resolve(received));
        socket.on('error', reject);
      }),
  };
}
