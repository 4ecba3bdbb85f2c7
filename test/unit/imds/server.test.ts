import { request, Agent, IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { describe, expect, it, vi } from 'vitest';
import { ALLOWED_LISTEN_HOSTS, startMetadataServer } from '../../../main/imds/server.js';
import { isCloudtokenError } from '../../../main/support/errors.js';

// 169.254.169.254 appears here only as a string (a Host header, an address to classify or refuse); every request
// goes to 127.0.0.1. Traffic to the alias happens only in imds-netns.test.ts, inside an unshare'd network namespace.

const hello = express().use((_req, res) => {
  res.end('hello');
});

describe('startMetadataServer', () => {
  it('refuses any address other than loopback and the alias, without listening (rule 25)', async () => {
    expect(ALLOWED_LISTEN_HOSTS).toEqual(['127.0.0.1', '::1', '169.254.169.254']);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'localhost', 'example.com', '']) {
      const error = await startMetadataServer({ app: hello, host, port: 0 }).catch((e: unknown) => e);
      expect(isCloudtokenError(error, 'IMDS_HOST_REFUSED'), host).toBe(true);
      expect((error as Error).message).toContain('127.0.0.1');
    }
  });

  it('refuses a port number that is not one', async () => {
    for (const port of [-1, 65_536, 1.5, Number.NaN]) {
      const error = await startMetadataServer({ app: hello, host: '127.0.0.1', port }).catch((e: unknown) => e);
      expect(isCloudtokenError(error, 'IMDS_PORT_INVALID'), String(port)).toBe(true);
    }
  });

  it('listens on loopback and gives a base URL ending in a slash', async () => {
    const server = await startMetadataServer({ app: hello, host: '127.0.0.1', port: 0 });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
      expect(await (await fetch(`${server.url}x`)).text()).toBe('hello');
    } finally {
      await server.close();
    }
  });

  it('names the busy port and the fix when the port is taken', async () => {
    const first = await startMetadataServer({ app: hello, host: '127.0.0.1', port: 0 });
    try {
      const error = await startMetadataServer({ app: hello, host: '127.0.0.1', port: first.port }).catch((e: unknown) => e);
      expect(isCloudtokenError(error, 'IMDS_PORT_IN_USE')).toBe(true);
      expect((error as Error).message).toContain(String(first.port));
      expect((error as Error).message).toMatch(/Quit it, or choose another port/);
    } finally {
      await first.close();
    }
  });

  it('closes promptly although a client keeps an idle keep-alive connection', async () => {
    const server = await startMetadataServer({ app: hello, host: '127.0.0.1', port: 0 });
    const agent = new Agent({ keepAlive: true });
    try {
      await new Promise<void>((resolve, reject) => {
        request({ host: '127.0.0.1', port: server.port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('error', reject)
          .end();
      });
      const started = Date.now();
      await server.close();
      expect(Date.now() - started).toBeLessThan(500);
      await expect(fetch(server.url)).rejects.toThrow();
      await server.close();
    } finally {
      agent.destroy();
    }
  });

  it("builds requests and responses with express's prototypes, so express never swaps one and its helpers work", async () => {
    const app = express();
    app.get('/helpers', (req, res) => {
      res.status(201).json({ host: req.get('host'), path: req.path, isRequest: req instanceof IncomingMessage });
    });
    const server = await startMetadataServer({ app, host: '127.0.0.1', port: 0 });
    const original = Object.setPrototypeOf;
    // Setting the prototype an object already has is free; changing a live one is what slows Node's http code.
    const changed: string[] = [];
    const setPrototypeOf = vi.spyOn(Object, 'setPrototypeOf').mockImplementation((target: unknown, prototype: object | null) => {
      if ((target instanceof IncomingMessage || target instanceof ServerResponse) && Object.getPrototypeOf(target) !== prototype) {
        changed.push(target.constructor.name);
      }
      return original(target, prototype) as unknown;
    });
    try {
      for (let i = 0; i < 2; i += 1) {
        const reply = await fetch(`${server.url}helpers`);
        expect(reply.status).toBe(201);
        expect(await reply.json()).toEqual({ host: `127.0.0.1:${server.port}`, path: '/helpers', isRequest: true });
      }
      const calls = setPrototypeOf.mock.calls.filter(([target]) => target instanceof IncomingMessage || target instanceof ServerResponse);
      expect(calls.length).toBeGreaterThanOrEqual(4);
      expect(changed).toEqual([]);
    } finally {
      setPrototypeOf.mockRestore();
      await server.close();
    }
  });
});
