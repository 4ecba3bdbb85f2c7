import { createServer } from 'node:net';

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port whose neighbour is free too (the container endpoint listens one above the metadata port),
 * below Linux's ephemeral range, so no client socket takes it before the session listens.
 */
export async function freePortPair(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await portFree(port)) && (await portFree(port + 1))) return port;
  }
}

/** A port for a daemon, proxy or server a test is about to start: free, with its neighbour, outside the ephemeral range. */
export const freePort = freePortPair;
