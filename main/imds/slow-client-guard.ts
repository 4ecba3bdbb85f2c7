import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { systemTimers, type TimerHandle, type Timers } from '../support/timers.js';

/**
 * For createServer's `connectionsCheckingInterval`: Node's own check, turned off (the longest interval a timer
 * takes; longer ones fire at once).
 */
export const NODE_CHECK_OFF_MS = 2_147_483_647;

/**
 * Node enforces a server's header and request timeouts from one interval per server that wakes every 30 s
 * whether or not a connection is open: an idle daemon with two servers woke four times a minute for nothing.
 * This makes the same check, but its timer runs only while a connection is open:
 * - a new connection that has not sent a whole request head within `headersMs` is closed;
 * - a request not answered within `requestMs` has its connection closed.
 * Between requests, a keep-alive connection is Node's `keepAliveTimeout` to close.
 */
export function guardSlowClients(
  server: Server,
  limits: { headersMs: number; requestMs: number; checkEveryMs?: number },
  timers: Pick<Timers, 'setInterval' | 'clearInterval'> = systemTimers,
): (request: IncomingMessage, response: ServerResponse) => void {
  // `since`: when the current deadline started; undefined while a keep-alive connection waits between requests.
  const open = new Map<Socket, { since: number | undefined; limit: number }>();
  let timer: TimerHandle | undefined;
  const check = () => {
    const now = Date.now();
    for (const [socket, state] of open) if (state.since !== undefined && now - state.since > state.limit) socket.destroy();
  };
  server.on('connection', (socket: Socket) => {
    open.set(socket, { since: Date.now(), limit: limits.headersMs });
    timer ??= timers.setInterval(check, limits.checkEveryMs ?? 1_000);
    socket.once('close', () => {
      open.delete(socket);
      if (open.size === 0 && timer) {
        timers.clearInterval(timer);
        timer = undefined;
      }
    });
  });
  // Called by the server's one request listener (a second listener would cost every request a copy).
  return (request, response) => {
    const state = open.get(request.socket);
    if (!state) return;
    state.since = Date.now();
    state.limit = limits.requestMs;
    response.once('finish', () => (state.since = undefined));
  };
}
