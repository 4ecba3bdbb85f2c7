/**
 * One metadata server per process, so that wrk and the server each get a core and `--cpu-prof` sees only
 * the server: `serve bare|express|ours`, bundled first (bench/lib/bundle.ts) so it runs as the daemon's code
 * does. Prints {"port", "listeningAtUs"} once listening; exits cleanly on SIGINT/SIGTERM (a clean exit is what
 * makes Node write the CPU profile).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createImdsApp } from '../../main/imds/app.js';
import { startMetadataServer } from '../../main/imds/server.js';
import { credentialsDocument, fixedServedCredentials, BENCH_ROLE, ROLE_LIST_PATH, TOKEN_TTL_SECONDS } from './fixed-credentials.js';

const kind = process.argv[2];
const served = fixedServedCredentials();
const documentBody = credentialsDocument(served);
// Same length and alphabet as our tokens (32 random bytes, base64url).
const FIXED_TOKEN = 'A'.repeat(43);

/** The baselines' whole logic: the bytes our service would send, with no checks at all. */
function answerSameBytes(req: IncomingMessage, res: ServerResponse): void {
  const body = req.method === 'PUT' ? FIXED_TOKEN : req.url === ROLE_LIST_PATH ? BENCH_ROLE : documentBody;
  res.writeHead(200, {
    'Content-Type': 'text/plain',
    Server: 'EC2ws',
    'X-Aws-Ec2-Metadata-Token-Ttl-Seconds': TOKEN_TTL_SECONDS,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function listen(): Promise<{ port: number; close(): Promise<void> }> {
  if (kind === 'ours') {
    const app = createImdsApp({ credentials: () => served, region: 'us-east-1' });
    return startMetadataServer({ app, host: '127.0.0.1', port: 0 });
  }
  let listener: (req: IncomingMessage, res: ServerResponse) => void;
  if (kind === 'bare') listener = answerSameBytes;
  else if (kind === 'express') {
    const app = express();
    app.disable('x-powered-by');
    app.use((req, res) => answerSameBytes(req, res));
    listener = app;
  } else throw new Error(`unknown server kind ${kind}`);
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const running = await listen();
// On V8's monotonic clock (CLOCK_MONOTONIC, as hrtime), so a profile's samples can be cut at this point.
const listeningAtUs = Number(process.hrtime.bigint() / 1000n);
process.stdout.write(`${JSON.stringify({ port: running.port, listeningAtUs })}\n`);
const shutdown = () => void running.close().then(() => process.exit(0));
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
