import { watch, type FSWatcher } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { ChannelRequestError, sessionAt, type SessionConnection } from '../channel/client.js';
import { checkSessionsFolder, listEntries, sessionsFolder, type ChannelEntry } from '../channel/location.js';
import { describeError } from '../support/errors.js';
import { encodeMessage, messageReader } from './framing.js';
import { callerOfHost } from './identity.js';
import { parseExtensionMessage, type ExtensionMessage, type HostMessage } from './messages.js';

/**
 * `cloudtoken native-host`: what the browser starts when the Cloudtoken extension connects (native messaging,
 * standard input and output). It introduces itself to every running session that signs in through the
 * extension (the daemon, the tray app, a `cloudtoken login` waiting for the browser), forwards the sign-ins
 * they ask for to the extension, and hands each assertion the extension captures to the one session that
 * takes it. It keeps nothing: when the browser closes the port, it ends.
 */
export interface NativeHostOptions {
  home: string;
  platform: NodeJS.Platform;
  argv: readonly string[];
  input: Readable;
  output: Writable;
  /** Problems, for the browser's log (Chrome writes a host's standard error to its own). Never an assertion. */
  log(line: string): void;
  /** Sessions are also looked for this often, in case a change of the sessions folder went unnoticed. */
  rescanMs?: number;
  /** Until the sessions folder exists (and can be watched), it is looked for this often. */
  lookForFolderMs?: number;
}

interface Watched {
  entry: ChannelEntry;
  /** Blocked in extension-wait most of the time, which also keeps it from closing as idle. */
  poll: SessionConnection;
  idpOrigin: string;
}

const RESCAN_MS = 15_000;
const LOOK_FOR_FOLDER_MS = 1_000;

function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

export function runNativeHost(options: NativeHostOptions): Promise<number> {
  const caller = callerOfHost(options.argv);
  if (!caller) {
    options.log('cloudtoken native-host: started by something other than the Cloudtoken extension; refusing.');
    return Promise.resolve(1);
  }
  const watched = new Map<string, Watched>();
  /** Sessions that do not sign in through the extension: not asked again while they run. */
  const ignored = new Set<string>();
  const taskOwners = new Map<string, string>();
  let browser = caller === 'firefox' ? 'Firefox' : 'Chromium';
  let stopped = false;
  let scanning: Promise<void> | undefined;
  let rescan = false;

  const send = (message: HostMessage) => {
    try {
      options.output.write(encodeMessage(message));
    } catch (error) {
      options.log(`cloudtoken native-host: could not tell the browser: ${describeError(error)}`);
    }
  };
  const welcome = () => send({ type: 'welcome', sessions: watched.size, idpOrigins: [...new Set([...watched.values()].map((w) => w.idpOrigin))] });

  /** A connection to the session that has introduced itself as the extension's host; undefined when it is gone. */
  async function hostConnection(entry: ChannelEntry): Promise<{ connection: SessionConnection; idpOrigin: string } | undefined> {
    const connection = await sessionAt(entry);
    if (!connection) return undefined;
    try {
      const { idpOrigin } = await connection.request({ type: 'extension-hello', browser });
      return { connection, idpOrigin };
    } catch (error) {
      connection.close();
      if (error instanceof ChannelRequestError && error.code === 'EXTENSION_NOT_USED') ignored.add(entry.address);
      return undefined;
    }
  }

  async function introduce(entry: ChannelEntry): Promise<Watched | undefined> {
    const introduced = await hostConnection(entry);
    return introduced && { entry, poll: introduced.connection, idpOrigin: introduced.idpOrigin };
  }

  /**
   * Assertions and task updates go on a connection of their own, opened for them: the poll's is busy waiting,
   * and one kept open beside it would be closed as idle long before the next refresh.
   */
  async function tell<T>(session: Watched, ask: (connection: SessionConnection) => Promise<T>): Promise<T> {
    const introduced = await hostConnection(session.entry);
    if (!introduced) throw new Error(`The session of ${session.poll.status.profileName} is gone.`);
    try {
      return await ask(introduced.connection);
    } finally {
      introduced.connection.close();
    }
  }

  async function follow(session: Watched): Promise<void> {
    while (!stopped) {
      try {
        const { task } = await session.poll.request({ type: 'extension-wait' });
        if (task) {
          taskOwners.set(task.taskId, session.entry.address);
          send({ type: 'open', ...task });
        }
      } catch {
        break;
      }
    }
    session.poll.close();
    watched.delete(session.entry.address);
    if (!stopped) welcome();
  }

  async function scanOnce(): Promise<void> {
    let entries: ChannelEntry[];
    try {
      entries = await listEntries(await checkSessionsFolder(options.home, { platform: options.platform, fix: false }), options.platform);
    } catch {
      return;
    }
    const present = new Set(entries.map((e) => e.address));
    for (const address of ignored) if (!present.has(address)) ignored.delete(address);
    const fresh = entries.filter((e) => !watched.has(e.address) && !ignored.has(e.address));
    const introduced = await Promise.all(fresh.map(introduce));
    for (const session of introduced) {
      if (!session || stopped) continue;
      watched.set(session.entry.address, session);
      void follow(session);
    }
    if (introduced.some(Boolean)) welcome();
  }

  /** One scan at a time; a change during a scan is looked at right after it. */
  function scan(): void {
    if (scanning) {
      rescan = true;
      return;
    }
    scanning = scanOnce().finally(() => {
      scanning = undefined;
      if (rescan && !stopped) {
        rescan = false;
        scan();
      }
    });
  }

  /** The sessions to offer an assertion to: the one that asked for the tab first, then those of the IdP that posted it. */
  function candidates(message: Extract<ExtensionMessage, { type: 'assertion' }>): Watched[] {
    const owner = message.taskId ? taskOwners.get(message.taskId) : undefined;
    const origin = originOf(message.initiator);
    const rank = (w: Watched) => (w.entry.address === owner ? 0 : w.idpOrigin === origin ? 1 : 2);
    return [...watched.values()].sort((a, b) => rank(a) - rank(b));
  }

  async function deliver(message: Extract<ExtensionMessage, { type: 'assertion' }>): Promise<{ accepted: boolean; message: string }> {
    const { samlResponse, relayState, acsUrl, taskId } = message;
    let refusal = 'No Cloudtoken session is running that signs in through your browser.';
    for (const claim of ['pending', 'due'] as const) {
      for (const session of candidates(message)) {
        try {
          await tell(session, (connection) => connection.request({ type: 'assertion', claim, samlResponse, relayState, acsUrl, taskId }));
          return { accepted: true, message: `Signed in: ${session.poll.status.profileName}` };
        } catch (error) {
          refusal = describeError(error);
          if (error instanceof ChannelRequestError && error.code !== 'NO_SIGN_IN_PENDING') return { accepted: false, message: refusal };
        }
      }
    }
    return { accepted: false, message: refusal };
  }

  async function onMessage(message: ExtensionMessage): Promise<void> {
    switch (message.type) {
      case 'hello':
        browser = message.userAgent ? browserName(message.userAgent) : browser;
        welcome();
        // Sessions are introduced with the browser's name, so the first look waits for it (the timer looks anyway).
        watchFolder();
        break;
      case 'assertion':
        send({ type: 'assertion-result', id: message.id, ...(await deliver(message)) });
        break;
      case 'task-update': {
        const owner = watched.get(taskOwners.get(message.taskId) ?? '');
        if (message.state === 'closed') taskOwners.delete(message.taskId);
        if (owner) await tell(owner, (connection) => connection.request({ type: 'task-update', taskId: message.taskId, state: message.state })).catch(() => undefined);
        break;
      }
    }
  }

  let watcher: FSWatcher | undefined;
  /** Watches the sessions folder once it exists, and looks at it right then. */
  function watchFolder(): void {
    if (watcher || stopped) return;
    try {
      watcher = watch(sessionsFolder(options.home), () => scan());
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
      scan();
    } catch {
      // No sessions folder yet: the periodic look finds the first session.
    }
  }

  return new Promise((resolve) => {
    // Once a second while the sessions folder is missing (a failing stat), then every RESCAN_MS behind the watch.
    let timer: NodeJS.Timeout | undefined;
    const look = () => {
      watchFolder();
      scan();
      timer = setTimeout(look, watcher ? (options.rescanMs ?? RESCAN_MS) : (options.lookForFolderMs ?? LOOK_FOR_FOLDER_MS));
    };
    timer = setTimeout(look, options.lookForFolderMs ?? LOOK_FOR_FOLDER_MS);
    let queue: Promise<void> = Promise.resolve();
    const read = messageReader(
      (value) => {
        let message: ExtensionMessage;
        try {
          message = parseExtensionMessage(value);
        } catch (error) {
          options.log(`cloudtoken native-host: ignored a message from the browser: ${describeError(error)}`);
          return;
        }
        queue = queue.then(() => onMessage(message)).catch((error: unknown) => options.log(`cloudtoken native-host: ${describeError(error)}`));
      },
      (error) => {
        options.log(`cloudtoken native-host: ${error.message}`);
        stop(1);
      },
    );
    const stop = (code: number) => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      watcher?.close();
      for (const session of watched.values()) session.poll.close();
      resolve(code);
    };
    options.input.on('data', (chunk: Buffer) => read(chunk));
    // The browser closed the port (the extension went away, or the browser quit).
    options.input.on('end', () => stop(0));
    options.input.on('error', () => stop(0));
  });
}

/** A short name for the browser, for `cloudtoken status`: the brand in its user agent. */
export function browserName(userAgent: string): string {
  for (const [pattern, name] of [
    [/Edg\//, 'Microsoft Edge'],
    [/Firefox\//, 'Firefox'],
    [/Brave/, 'Brave'],
    [/Chrome\//, 'Chrome or Chromium'],
  ] as const) {
    if (pattern.test(userAgent)) return name;
  }
  return 'a browser';
}
