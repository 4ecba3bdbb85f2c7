import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NODE_CHECK_OFF_MS, guardSlowClients } from '../../../main/imds/slow-client-guard.js';
import { systemTimers, type Timers } from '../../../main/support/timers.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A guarded server whose handler answers `/slow` only after `slowMs`. */
async function guarded(slowMs: number): Promise<{ port: number; activeTimers: () => number }> {
  // Real timers, counted: how many intervals the guard has running at any moment.
  let running = 0;
  const timers: Pick<Timers, 'setInterval' | 'clearInterval'> = {
    setInterval: (callback, ms) => {
      running += 1;
      return systemTimers.setInterval(callback, ms);
    },
    clearInterval: (handle) => {
      running -= 1;
      systemTimers.clearInterval(handle);
    },
  };
  let started: ReturnType<typeof guardSlowClients> = () => undefined;
  const server = createServer({ connectionsCheckingInterval: NODE_CHECK_OFF_MS }, (req, res) => {
    started(req, res);
    if (req.url === '/slow') setTimeout(() => res.end('late'), slowMs).unref();
    else res.end('ok');
  });
  started = guardSlowClients(server, { headersMs: 300, requestMs: 600, checkEveryMs: 50 }, timers);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, activeTimers: () => running };
}

/** Writes `text` and resolves with how long the server kept the connection open, and what it answered. */
function hold(port: number, text: string): Promise<{ ms: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ ms: Date.now() - started, answer }));
  });
}

describe('guardSlowClients', () => {
  it('closes a connection whose request head never completes', async () => {
    const { port } = await guarded(0);
    const { ms, answer } = await hold(port, 'GET / HTTP/1.1\r\nHost: x\r\n');
    expect(answer).toBe('');
    expect(ms).toBeGreaterThanOrEqual(280);
    expect(ms).toBeLessThan(2_000);
  });

  it('closes a connection whose request is not answered in time, and lets a prompt one through', async () => {
    const { port } = await guarded(5_000);
    const slow = await hold(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(slow.answer).toBe('');
    expect(slow.ms).toBeGreaterThanOrEqual(580);
    expect(slow.ms).toBeLessThan(3_000);
    const quick = await hold(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(quick.answer).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*ok$/);
  });

  it('runs its timer only while a connection is open', async () => {
    const { port, activeTimers } = await guarded(0);
    expect(activeTimers()).toBe(0);
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    await expect.poll(activeTimers).toBe(1);
    socket.destroy();
    await expect.poll(activeTimers).toBe(0);
  });
});
