import { createConnection, type Socket } from 'node:net';
import { CloudtokenError } from '../support/errors.js';
import { checkSessionsFolder, listEntries, readSessionKey, removeStaleEntry, type ChannelEntry } from './location.js';
import { CHANNEL_VERSION, type ChannelAnswers, type ChannelErrorResponse, type ChannelRequest, type SessionStatus } from './protocol.js';

/**
 * The client side of the session channel: find the running sessions of a state folder (a session is running
 * when its handshake answers), and ask one of them. Loads nothing but node:net and node:fs, so a
 * `credential_process` run served by a session starts and ends quickly.
 */

/** The handshake must answer quickly: a session that does not is treated as not running (its entry stays). */
const HELLO_TIMEOUT_MS = 5_000;
/** Assuming a role on demand may take an STS round trip, a refresh a sign-in. */
const REQUEST_TIMEOUT_MS = 90_000;

/** The session answered with an error: its code and message, as the session gave them. */
export class ChannelRequestError extends CloudtokenError {}

type Request = ChannelRequest extends infer R ? (R extends { type: infer T } ? Omit<R, 'v'> & { type: T } : never) : never;

export interface SessionConnection {
  /** Where the session was reached: the same entry reaches it again (sessionAt). */
  readonly entry: ChannelEntry;
  readonly status: SessionStatus;
  request<T extends Request['type']>(request: Extract<Request, { type: T }>): Promise<ChannelAnswers[T]>;
  close(): void;
}

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(error: Error): void;
}

function connect(address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(address);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function openConnection(socket: Socket): { request(line: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown>>; close(): void } {
  const pending: Pending[] = [];
  let buffer = '';
  const failAll = (error: Error) => {
    for (const waiter of pending.splice(0)) waiter.reject(error);
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      try {
        pending.shift()?.resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        failAll(new CloudtokenError('CHANNEL_BROKEN', 'The running session answered something that is not JSON.'));
        socket.destroy();
      }
    }
  });
  socket.on('error', (error) => failAll(error));
  socket.on('close', () => failAll(new CloudtokenError('CHANNEL_CLOSED', 'The running session closed the channel before answering.')));
  return {
    request(line, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new CloudtokenError('CHANNEL_TIMEOUT', `The running session did not answer within ${Math.round(timeoutMs / 1000)} s.`));
          socket.destroy();
        }, timeoutMs);
        const done = <T>(settle: (value: T) => void) => (value: T) => {
          clearTimeout(timer);
          settle(value);
        };
        pending.push({ resolve: done(resolve), reject: done(reject) });
        socket.write(`${JSON.stringify({ v: CHANNEL_VERSION, ...line })}\n`);
      });
    },
    close: () => socket.destroy(),
  };
}

function answerOf(response: Record<string, unknown>): Record<string, unknown> {
  if (response.ok === true) return response;
  const { error } = response as unknown as ChannelErrorResponse;
  throw new ChannelRequestError(error?.code ?? 'CHANNEL_ERROR', error?.message ?? 'The running session refused the request.');
}

/** Connects and shakes hands; undefined when nothing runs there (a stale entry is removed on the way). */
async function reach(entry: ChannelEntry, onProblem: (message: string) => void): Promise<SessionConnection | undefined> {
  let socket: Socket;
  try {
    socket = await connect(entry.address);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ECONNREFUSED: a socket file nobody listens on; ENOENT: a pipe-name file whose pipe is gone. Without its
    // key the session may be starting (bound, not yet listening): left for the next session start to sweep.
    if (code === 'ECONNREFUSED' || code === 'ENOENT') {
      if ((await readSessionKey(entry).catch(() => undefined)) !== undefined) await removeStaleEntry(entry).catch(() => undefined);
    } else {
      onProblem(`Cannot reach the session at ${entry.address}: ${(error as Error).message}`);
    }
    return undefined;
  }
  let key: string | undefined;
  let missing = 'it has no key file: it is of an older release, or still starting';
  try {
    key = await readSessionKey(entry);
  } catch (error) {
    missing = `its key file cannot be read: ${(error as Error).message}`;
  }
  if (key === undefined) {
    socket.destroy();
    onProblem(`Not asking the session at ${entry.address}: ${missing}.`);
    return undefined;
  }
  const connection = openConnection(socket);
  try {
    const { status } = answerOf(await connection.request({ type: 'hello', key }, HELLO_TIMEOUT_MS)) as ChannelAnswers['hello'];
    return {
      entry,
      status,
      request: async (request) => answerOf(await connection.request(request, REQUEST_TIMEOUT_MS)) as never,
      close: connection.close,
    };
  } catch (error) {
    connection.close();
    onProblem(`The session at ${entry.address} did not complete the handshake: ${(error as Error).message}`);
    return undefined;
  }
}

/** One session's channel, connected and introduced; undefined when nothing answers there. */
export function sessionAt(entry: ChannelEntry, onProblem: (message: string) => void = () => undefined): Promise<SessionConnection | undefined> {
  return reach(entry, onProblem);
}

/**
 * The sessions running on this state folder, connected and introduced, oldest first. Close them when done.
 * Throws CHANNEL_FOLDER_NOT_OWN or CHANNEL_FOLDER_OPEN when the sessions folder is not this user's own and private.
 */
export async function runningSessions(home: string, options: { platform: NodeJS.Platform; onProblem?: (message: string) => void }): Promise<SessionConnection[]> {
  const folder = await checkSessionsFolder(home, { platform: options.platform, fix: false }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (folder === undefined) return [];
  const entries = await listEntries(folder, options.platform);
  const reached = await Promise.all(entries.map((entry) => reach(entry, options.onProblem ?? (() => undefined))));
  return reached.filter((c): c is SessionConnection => c !== undefined).sort((a, b) => a.status.startedAt - b.status.startedAt);
}
