import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { expressObjectClasses } from '../../../main/imds/express-objects.js';

/** What a request sees of its objects, with express's helpers used on them. */
async function serve(app: express.Express, classes: ReturnType<typeof expressObjectClasses>) {
  const seen: Array<{ requestIsBuilt: boolean; responseIsBuilt: boolean }> = [];
  app.get('/hello', (req, res) => {
    seen.push({ requestIsBuilt: req instanceof classes.IncomingMessage, responseIsBuilt: res instanceof classes.ServerResponse });
    res.status(201).set('x-from', req.get('x-to') ?? 'nobody').json({ path: req.path, query: req.query.q });
  });
  const server = createServer({ ...classes }, app as unknown as (req: IncomingMessage, res: ServerResponse) => void);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const response = await fetch(`http://127.0.0.1:${port}/hello?q=1`, { headers: { 'x-to': 'alice' } });
    return { status: response.status, header: response.headers.get('x-from'), body: await response.json(), seen };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('expressObjectClasses', () => {
  it('builds requests and responses that already carry the app’s prototypes, so express swaps nothing', async () => {
    const app = express();
    const classes = expressObjectClasses(app);
    const setPrototypeOf = Object.setPrototypeOf;
    let swaps = 0;
    Object.setPrototypeOf = (target: object, proto: object | null) => {
      if (target instanceof classes.IncomingMessage || target instanceof classes.ServerResponse) {
        if (Object.getPrototypeOf(target) !== proto) swaps += 1;
      }
      return setPrototypeOf(target, proto);
    };
    try {
      const result = await serve(app, classes);
      // Every helper used above still works: status, set, get, json, path, query.
      expect(result).toMatchObject({ status: 201, header: 'alice', body: { path: '/hello', query: '1' } });
      expect(result.seen).toEqual([{ requestIsBuilt: true, responseIsBuilt: true }]);
      expect(swaps).toBe(0);
    } finally {
      Object.setPrototypeOf = setPrototypeOf;
    }
  });

  it('gives one app one pair of classes, and another app its own', () => {
    const app = express();
    expect(expressObjectClasses(app)).toBe(expressObjectClasses(app));
    expect(expressObjectClasses(express()).IncomingMessage).not.toBe(expressObjectClasses(app).IncomingMessage);
  });
});
