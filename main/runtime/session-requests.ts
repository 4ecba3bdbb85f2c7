import { type ChannelAnswers, type ChannelCredentials, type ChannelRequest, type SessionStatus } from '../channel/protocol.js';
import { resolveRoleChoice } from '../session/role-choice.js';
import type { ExtensionSignIn } from '../extension/sign-in.js';
import type { RoleCredentials } from '../sts/types.js';
import { CloudtokenError, describeError } from '../support/errors.js';
import type { ProfileRuntime } from './profile-runtime.js';

/**
 * What each channel request means for one running profile. Credentials come only from the session's own
 * accessors, which never return expired ones, and with at least MIN_REMAINING_MS left: a client must be able
 * to use what it gets.
 */
export const MIN_REMAINING_MS = 60_000;

export interface SessionHost {
  runtime: ProfileRuntime;
  /** The browser-extension sign-in, when the session signs in that way: it answers the extension host's requests. */
  extension?: ExtensionSignIn | undefined;
  host: SessionStatus['host'];
  startedAt: number;
  now?: () => number;
}

export function sessionStatus({ runtime, host, startedAt, extension }: SessionHost): SessionStatus {
  const snapshot = runtime.session.snapshot();
  const service = runtime.service();
  return {
    host,
    pid: process.pid,
    profileId: runtime.profile.id,
    profileName: runtime.profile.name,
    startedAt,
    phase: snapshot.phase,
    imdsPort: runtime.settings().imdsPort,
    service: service ? { mode: service.mode, fallbackReason: service.fallbackReason, imdsUrl: service.imdsUrl, containerUrl: service.containerUrl } : undefined,
    roles: snapshot.active.map((a) => ({ roleArn: a.role.roleArn, assumedRoleArn: a.assumedRoleArn, expiresAt: a.expiresAt, metadata: a.metadata })),
    nextRefreshAt: snapshot.nextRefreshAt,
    error: snapshot.error?.message,
    plugins: runtime.plugins(),
    ...(extension ? { extension: extension.status() } : {}),
  };
}

function roleArnFor(runtime: ProfileRuntime, text: string | undefined): string {
  const snapshot = runtime.session.snapshot();
  if (snapshot.roles.length === 0) {
    throw new CloudtokenError('SESSION_SIGNED_OUT', `The running session of ${runtime.profile.name} is not signed in (${snapshot.phase}).`);
  }
  if (text !== undefined) return resolveRoleChoice(snapshot.roles, text, runtime.settings().accountLabels).roleArn;
  if (!snapshot.metadataRoleArn) throw new CloudtokenError('NO_ROLE_CHOSEN', `The running session of ${runtime.profile.name} has no role chosen; name one with --role.`);
  return snapshot.metadataRoleArn;
}

function unavailable(runtime: ProfileRuntime, roleArn: string): CloudtokenError {
  const { phase, error } = runtime.session.snapshot();
  const why = error ? `: ${error.message}` : '.';
  if (phase === 'needs-sign-in') return new CloudtokenError('NEEDS_SIGN_IN', `Your identity provider wants you to sign in again before ${roleArn} can be renewed${why}`);
  return new CloudtokenError('CREDENTIALS_UNAVAILABLE', `The running session has no valid credentials for ${roleArn}${why}`);
}

/** Clients arriving together at credentials about to expire share one refresh, instead of queueing one each. */
const refreshing = new WeakMap<ProfileRuntime['session'], Promise<unknown>>();
function sharedRefresh(session: ProfileRuntime['session']): Promise<unknown> {
  let running = refreshing.get(session);
  if (!running) {
    running = session.refreshNow().finally(() => refreshing.delete(session));
    refreshing.set(session, running);
  }
  return running;
}

async function credentials(context: SessionHost, request: Extract<ChannelRequest, { type: 'credentials' }>): Promise<ChannelCredentials> {
  const { runtime } = context;
  const { session } = runtime;
  const now = context.now ?? Date.now;
  const roleArn = roleArnFor(runtime, request.role);
  const usable = (held: RoleCredentials | undefined) => (held && held.credentials.expiration - now() >= MIN_REMAINING_MS ? held : undefined);
  if (!session.snapshot().active.some((a) => a.role.roleArn === roleArn)) {
    if (request.assume === false) throw new CloudtokenError('ROLE_NOT_ACTIVE', `The running session does not keep ${roleArn} active.`);
    // From now on the session keeps it fresh, and the tray shows it as kept active.
    await session.setKeptActive(roleArn, true);
  }
  let held = usable(session.credentialsFor(roleArn));
  if (!held) {
    await sharedRefresh(session);
    held = usable(session.credentialsFor(roleArn));
  }
  if (!held) throw unavailable(runtime, roleArn);
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = held.credentials;
  return {
    roleArn,
    partition: held.role.partition,
    assumedRoleArn: held.assumedRoleArn,
    region: runtime.region(),
    credentials: { accessKeyId, secretAccessKey, sessionToken, expiration },
  };
}

/** One connection to the session, as the extension requests need to know it. */
export interface ChannelPeer {
  readonly id: string;
  /** Said `extension-hello`: it is the extension's native messaging host, and may send assertions. */
  extensionHost: boolean;
  /** The browser it named; the connection counts as the extension connected once it waits for tasks. */
  browser?: string;
}

function extensionOf(context: SessionHost): ExtensionSignIn {
  if (!context.extension) {
    throw new CloudtokenError('EXTENSION_NOT_USED', `The running session of ${context.runtime.profile.name} does not sign in through the browser extension.`);
  }
  return context.extension;
}

/** An extension host that waits this long for a task is answered `task: null` and asks again (well inside every time-out). */
export const TASK_WAIT_MS = 20_000;

async function answerExtension(context: SessionHost, request: ChannelRequest, peer: ChannelPeer): Promise<ChannelAnswers[ChannelRequest['type']]> {
  const extension = extensionOf(context);
  if (request.type === 'extension-hello') {
    peer.extensionHost = true;
    peer.browser = request.browser;
    return { status: sessionStatus(context), idpOrigin: extension.idpOrigin };
  }
  if (!peer.extensionHost) throw new CloudtokenError('NOT_AN_EXTENSION_HOST', 'Only the browser extension’s host may send this, after extension-hello.');
  switch (request.type) {
    case 'extension-wait':
      extension.hostConnected(peer.id, peer.browser ?? 'a browser');
      return { task: await extension.nextTask(peer.id, TASK_WAIT_MS) };
    case 'assertion': {
      const { samlResponse, relayState, acsUrl, taskId, claim } = request;
      try {
        extension.offer({ samlResponse, relayState, acsUrl, taskId }, claim);
      } catch (error) {
        throw new CloudtokenError(error instanceof CloudtokenError ? error.code : 'ASSERTION_REFUSED', describeError(error));
      }
      return { accepted: true };
    }
    default:
      if (request.type === 'task-update') extension.taskUpdate(request.taskId, request.state);
      return {};
  }
}

export async function answer(context: SessionHost, request: ChannelRequest, peer: ChannelPeer): Promise<ChannelAnswers[ChannelRequest['type']]> {
  const { session } = context.runtime;
  switch (request.type) {
    case 'hello':
    case 'status':
      return { status: sessionStatus(context) };
    case 'credentials':
      return credentials(context, request);
    case 'refresh':
      await session.refreshNow();
      return { status: sessionStatus(context) };
    case 'switch-role':
      await session.chooseRole(roleArnFor(context.runtime, request.role));
      return { status: sessionStatus(context) };
    default:
      return answerExtension(context, request, peer);
  }
}
