import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { Express } from 'express';
import type { Logger } from '../support/logger.js';
import { requestPath } from './request-guards.js';

export type Respond = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  status: number,
  headers: Record<string, string | number>,
  body?: string,
) => void;

/**
 * Writes a whole response in one go (known length, no chunking) and logs it at debug level. Paths and
 * statuses only: tokens and credentials travel in headers and bodies, which are never logged.
 */
export function createResponder(logger: Logger, component: string): Respond {
  return function respond(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    status: number,
    headers: Record<string, string | number>,
    body = '',
  ): void {
    headers['Content-Length'] = Buffer.byteLength(body);
    res.writeHead(status, headers);
    res.end(body);
    logger.debug(`${component} request`, { method: req.method, path, status, client: req.socket.remoteAddress });
  };
}

/**
 * An express app that is one handler: the endpoints are a handful of fixed paths, so a Map lookup beats a
 * router, and the hot path stays close to bare Node (no etag hashing, no X-Powered-By, no body parsing).
 * A thrown error is logged and answered 500 in plain text, never with express's stack-trace page.
 */
export function leanExpressApp(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  respond: Respond,
  logger: Logger,
  component: string,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((req, res, next) => {
    try {
      handle(req, res);
    } catch (error) {
      next(error);
    }
  });
  app.use((error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const path = requestPath(req.url);
    logger.error(`${component} request failed`, { path, error });
    if (!res.headersSent) respond(req, res, path, 500, { 'Content-Type': 'text/plain' }, 'Internal Server Error');
    else res.destroy();
  });
  return app;
}
