import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { runningSessions } from '../channel/client.js';
import { checkSessionsFolder, keyFileOf, PIPE_SUFFIX, removeLeftovers, SOCKET_SUFFIX, type ChannelEntry } from '../channel/location.js';
import { CHANNEL_VERSION, MAX_EXTENSION_REQUEST_BYTES, MAX_REQUEST_BYTES, SESSION_KEY_BYTES, errorResponse, parseRequest, type ChannelRequest, type SessionStatus } from '../channel/protocol.js';
import type { ExtensionSignIn } from '../extension/sign-in.js';
import { writeFileAtomic } from '../support/atomic-file.js';
import type { ProfileRuntime } from './profile-runtime.js';
import { CloudtokenError, describeError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import { oneAtATime } from '../support/one-at-a-time.js';
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

/**
 * A connection is answered only once its first request, the handshake, carried the session key: anything else
 * first is refused and the connection closed, so a process that can open the socket but not read the key file
 * learns nothing, not even the session's status.
 */
function checkHandshake(request: ChannelRequest, key: Buffer): void {
  if (request.type !== 'hello') throw new CloudtokenError('HANDSHAKE_REQUIRED', 'The first request on a connection must be the handshake ("hello" with the session key).');
  const given = Buffer.from(request.key, 'hex');
  if (given.length !== key.length || !timingSafeEqual(given, key)) {
    throw new CloudtokenError('WRONG_SESSION_KEY', "The handshake's key is not this session's: read it from the session's key file.");
  }
}

function serveConnection(socket: Socket, context: SessionHost, key: Buffer, logger: Logger): void {
  socket.setEncoding('utf8');
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  const peer: ChannelPeer = { id: randomBytes(6).toString('hex'), extensionHost: false };
  socket.on('close', () => context.extension?.hostGone(peer.id));
  // Only the extension's host sends assertions, which are larger than any other request.
  const limit = () => (peer.extensionHost ? MAX_EXTENSION_REQUEST_BYTES : MAX_REQUEST_BYTES);
  let buffer = '';
  const inTurn = oneAtATime();
  const reply = (response: object) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
  };
  let introduced = false;
  let refused = false;
  const handle = async (line: string) => {
    if (refused || socket.destroyed) return;
    try {
      const request = parseRequest(line);
      if (!introduced) {
        try {
          checkHandshake(request, key);
        } catch (error) {
          logger.warn('Refused a channel connection that did not present the session key', { code: (error as CloudtokenError).code });
          refused = true;
          socket.end(`${JSON.stringify(errorResponse({ code: (error as CloudtokenError).code, message: describeError(error) }))}\n`);
          return;
        }
        introduced = true;
      }
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
      void inTurn(() => handle(line));
    }
    if (Buffer.byteLength(buffer) > limit()) tooLarge();
  });
  // Nothing after an oversized line can be trusted to start a request: answer, then hang up.
  const tooLarge = () => {
    buffer = '';
    socket.pause();
    void inTurn(async () => {
      socket.end(`${JSON.stringify(errorResponse({ code: 'REQUEST_TOO_LARGE', message: `A request may be at most ${limit()} bytes.` }))}\n`);
    });
  };
}

/** A new session's entry. Unix socket paths are short (104 bytes on macOS), hence a short id. */
function newEntry(folder: string, id: string, platform: NodeJS.Platform): ChannelEntry {
  if (platform !== 'win32') {
    const file = join(folder, `${id}${SOCKET_SUFFIX}`);
    return { file, address: file, keyFile: keyFileOf(file) };
  }
  // A pipe name is machine-wide: the user and the state folder are in it, so two users (or two state
  // folders) never pick the same one, and the random id keeps several sessions apart.
  const user = userInfo().username.replace(/[^A-Za-z0-9_.-]/g, '_');
  const folderHash = createHash('sha256').update(folder).digest('hex').slice(0, 12);
  const file = join(folder, `${id}${PIPE_SUFFIX}`);
  return { file, address: `\\\\.\\pipe\\cloudtoken-${user}-${folderHash}-${id}`, keyFile: keyFileOf(file) };
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
  await removeLeftovers(folder);
  const entry: ChannelEntry = newEntry(folder, randomBytes(6).toString('hex'), platform);
  const key = randomBytes(SESSION_KEY_BYTES);
  const context: SessionHost = { runtime: options.runtime, host: options.host, startedAt: Date.now(), extension: options.extension };
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    serveConnection(socket, context, key, options.logger);
  });
  server.maxConnections = MAX_CONNECTIONS;
  try {
    await listen(server, entry.address);
    if (platform === 'win32') await writeFileAtomic(entry.file, `${entry.address}\n`, { mode: 0o600 });
    else await chmod(entry.file, 0o600);
    // Written last: a key file says the session listens. Until it is there, a client that finds the socket
    // refusing (bound, not yet listening) leaves it alone rather than removing it as a crash's leftover.
    await writeFileAtomic(entry.keyFile, `${key.toString('hex')}\n`, { mode: 0o600 });
  } catch (error) {
    server.close();
    await rm(entry.file, { force: true });
    await rm(entry.keyFile, { force: true });
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    address: entry.address,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of open) socket.destroy();
        await closed;
        await rm(entry.file, { force: true });
        await rm(entry.keyFile, { force: true });
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
