import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { CloudtokenError } from '../support/errors.js';
import { silentLogger } from '../support/logger.js';
import type { Logger } from '../support/logger.js';
import { expressObjectClasses } from './express-objects.js';
import { LINK_LOCAL_ADDRESS } from './request-guards.js';
import { NODE_CHECK_OFF_MS, guardSlowClients } from './slow-client-guard.js';

/** Where the container-credentials endpoint listens by default (always loopback: SDKs allow http only there). */
export const DEFAULT_CONTAINER_PORT = 9912;

/** Loopback or the alias: never 0.0.0.0 or a LAN address, where other machines could ask for credentials. */
export const ALLOWED_LISTEN_HOSTS: readonly string[] = ['127.0.0.1', '::1', LINK_LOCAL_ADDRESS];

export interface RunningServer {
  host: string;
  port: number;
  /** Base URL ending in `/` (AWS CLI v2.9 appends `latest/…` with no separator). */
  url: string;
  close(): Promise<void>;
}

export interface StartServerOptions {
  app: Express;
  host: string;
  port: number;
  /** Told of every request, before the app answers it. */
  onRequest?: () => void;
  logger?: Logger;
}

// Metadata requests are a few hundred bytes and answered at once: small limits cost nothing legitimate and
// leave a hostile local process little to play with.
const MAX_HEADER_BYTES = 8 * 1024;
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
const CLOSE_GRACE_MS = 1_000;

export async function startMetadataServer(options: StartServerOptions): Promise<RunningServer> {
  const { app, host, port } = options;
  const logger = options.logger ?? silentLogger;
  if (!ALLOWED_LISTEN_HOSTS.includes(host)) {
    throw new CloudtokenError(
      'IMDS_HOST_REFUSED',
      `Refusing to serve credentials on ${host}: only 127.0.0.1, ::1 or ${LINK_LOCAL_ADDRESS} keep them on this machine.`,
    );
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new CloudtokenError('IMDS_PORT_INVALID', `${port} is not a TCP port number (0–65535).`);
  }

  const { onRequest } = options;
  // One listener, not a second 'request' listener: with two, Node copies the listener array on every request.
  let startedRequest: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  const listener: RequestListener = (req, res) => {
    startedRequest(req, res);
    onRequest?.();
    app(req, res);
  };
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: NODE_CHECK_OFF_MS, ...expressObjectClasses(app) }, listener);
  startedRequest = guardSlowClients(server, { headersMs: HEADERS_TIMEOUT_MS, requestMs: REQUEST_TIMEOUT_MS });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, host, port));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
  server.on('error', (error) => logger.error('metadata server error', { error }));

  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = bound === 80 ? `http://${urlHost}/` : `http://${urlHost}:${bound}/`;
  logger.info('metadata server listening', { url });

  let closing: Promise<void> | undefined;
  return {
    host,
    port: bound,
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open for seconds; in-flight requests get a moment to finish.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      }).then(() => logger.info('metadata server closed', { url }));
      return closing;
    },
  };
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): CloudtokenError {
  switch (error.code) {
    case 'EADDRINUSE':
      return new CloudtokenError(
        'IMDS_PORT_IN_USE',
        `Port ${port} on ${host} is already in use, probably by another Cloudtoken or another metadata emulator ` +
          `(for example aws-vault --ec2-server). Quit it, or choose another port in the settings.`,
        { cause: error },
      );
    case 'EADDRNOTAVAIL':
      return host === LINK_LOCAL_ADDRESS
        ? new CloudtokenError(
            'IMDS_ALIAS_MISSING',
            `The address ${LINK_LOCAL_ADDRESS} is not set up on this machine. Let Cloudtoken add it (it asks for ` +
              `administrator rights once), or add it yourself: on Linux \`sudo ip addr add ${LINK_LOCAL_ADDRESS}/32 dev lo\`, ` +
              `on macOS \`sudo ifconfig lo0 alias ${LINK_LOCAL_ADDRESS}\`. Or use the loopback address 127.0.0.1 instead.`,
            { cause: error },
          )
        : new CloudtokenError('IMDS_ADDRESS_UNAVAILABLE', `The address ${host} is not available on this machine.`, {
            cause: error,
          });
    case 'EACCES':
      return new CloudtokenError(
        'IMDS_PORT_FORBIDDEN',
        `Listening on port ${port} needs administrator rights. Use a port above 1023 and let Cloudtoken ` +
          `redirect port 80 to it, or grant Node the right to bind low ports.`,
        { cause: error },
      );
    default:
      return new CloudtokenError(
        'IMDS_LISTEN_FAILED',
        `Could not listen on ${host}:${port}: ${error.message}`,
        { cause: error },
      );
  }
}
