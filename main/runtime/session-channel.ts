import { createHash, randomBytes } from 'node:crypto';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { runningSessions } from '../channel/client.js';
import { checkSessionsFolder, PIPE_SUFFIX, SOCKET_SUFFIX, type ChannelEntry } from '../channel/location.js';
import { CHANNEL_VERSION, MAX_EXTENSION_REQUEST_BYTES, MAX_REQUEST_BYTES, errorResponse, parseRequest, type SessionStatus } from '../channel/protocol.js';
import type { ExtensionSignIn } from '../extension/sign-in.js';
import type { ProfileRuntime } from './profile-runtime.js';
import { CloudtokenError, describeError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import { answer, type ChannelPeer, type SessionHost } from './session-requests.js';

/**
 * A running session's channel (`cloudtoken daemon` and the tray app both offer one): a Unix socket or named
 * pipe in the state folder's `sessions/`, for this user's own CLI commands. Requests on one connection are
 * answered in order; a bad request is answered with an error and harms nothing else.
 */
export interface SessionChannel {
  readonly address: string;
  close(): Promise<void>;
}

export interface ChannelOptions {
  runtime: ProfileRuntime;
  home: string;
  host: SessionStatus['host'];
  platform?: NodeJS.Platform;
  logger: Logger;
  /** The session signs in through the browser extension: its host reaches the session here. */
  extension?: ExtensionSignIn | undefined;
}

/** A client that says nothing for this long is disconnected: a connection costs a descriptor. */
const IDLE_MS = 60_000;
const MAX_CONNECTIONS = 64;

function serveConnection(socket: Socket, context: SessionHost, logger: Logger): void {
  socket.setEncoding('utf8');
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  const peer: ChannelPeer = { id: randomBytes(6).toString('hex'), extensionHost: false };
  socket.on('close', () => context.extension?.hostGone(peer.id));
  // Only the extension's host sends assertions, which are larger than any other request.
  const limit = () => (peer.extensionHost ? MAX_EXTENSION_REQUEST_BYTES : MAX_REQUEST_BYTES);
  let buffer = '';
  let queue: Promise<void> = Promise.resolve();
  const reply = (response: object) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
  };
  const handle = async (line: string) => {
    try {
      const request = parseRequest(line);
      logger.debug('Channel request', { type: request.type });
      reply({ v: CHANNEL_VERSION, ok: true, ...(await answer(context, request, peer)) });
    } catch (error) {
      const code = error instanceof CloudtokenError ? error.code : 'REQUEST_FAILED';
      logger.debug('Channel request refused', { code });
      reply(errorResponse({ code, message: describeError(error) }));
    }
  };
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      if (Buffer.byteLength(line) > limit()) return tooLarge();
      queue = queue.then(() => handle(line));
    }
    if (Buffer.byteLength(buffer) > limit()) tooLarge();
  });
  // Nothing after an oversized line can be trusted to start a request: answer, then hang up.
  const tooLarge = () => {
    buffer = '';
    socket.pause();
    queue = queue.then(() => {
      socket.end(`${JSON.stringify(errorResponse({ code: 'REQUEST_TOO_LARGE', message: `A request may be at most ${limit()} bytes.` }))}\n`);
    });
  };
}

/** A new session's entry. Unix socket paths are short (104 bytes on macOS), hence a short id. */
function newEntry(folder: string, id: string, platform: NodeJS.Platform): ChannelEntry {
  if (platform !== 'win32') {
    const file = join(folder, `${id}${SOCKET_SUFFIX}`);
    return { file, address: file };
  }
  // A pipe name is machine-wide: the user and the state folder are in it, so two users (or two state
  // folders) never pick the same one, and the random id keeps several sessions apart.
  const user = userInfo().username.replace(/[^A-Za-z0-9_.-]/g, '_');
  const folderHash = createHash('sha256').update(folder).digest('hex').slice(0, 12);
  return { file: join(folder, `${id}${PIPE_SUFFIX}`), address: `\\\\.\\pipe\\cloudtoken-${user}-${folderHash}-${id}` };
}

function listen(server: Server, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startSessionChannel(options: ChannelOptions): Promise<SessionChannel> {
  const platform = options.platform ?? process.platform;
  const folder = await checkSessionsFolder(options.home, { platform, fix: true });
  // Entries of sessions that died without closing (SIGKILL, power loss) are removed on the way.
  for (const running of await runningSessions(options.home, { platform })) running.close();
  const entry: ChannelEntry = newEntry(folder, randomBytes(6).toString('hex'), platform);
  const context: SessionHost = { runtime: options.runtime, host: options.host, startedAt: Date.now(), extension: options.extension };
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    serveConnection(socket, context, options.logger);
  });
  server.maxConnections = MAX_CONNECTIONS;
  await listen(server, entry.address);
  if (platform === 'win32') await writeFile(entry.file, `${entry.address}\n`, { mode: 0o600 });
  else await chmod(entry.file, 0o600);
  let closing: Promise<void> | undefined;
  return {
    address: entry.address,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of open) socket.destroy();
        await closed;
        await rm(entry.file, { force: true });
      })();
      return closing;
    },
  };
}

/** The channel, or undefined with a warning when it cannot start: the session serves the metadata service regardless. */
export async function offerSessionChannel(options: ChannelOptions): Promise<SessionChannel | undefined> {
  try {
    return await startSessionChannel(options);
  } catch (error) {
    options.logger.warn('The session channel did not start: CLI commands will sign in on their own', { reason: describeError(error) });
    return undefined;
  }
}
