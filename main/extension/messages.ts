/**
 * What the browser extension and the native messaging host say to each other (one JSON object per native
 * message). The host checks every message from the browser here; the extension is bundled with these types.
 */

/** A SAMLResponse is at most 2 MiB (parseAcsPost); a message carrying one stays well below the browsers' limits. */
export const MAX_ASSERTION_CHARS = 2 * 1024 * 1024;

export type ExtensionMessage =
  | { type: 'hello'; version: string; userAgent: string }
  /**
   * An assertion the IdP posted to `acsUrl` in the tab. `taskId`: the tab was opened for that task; `id`
   * numbers the extension's messages so it can match the host's answer.
   */
  | { type: 'assertion'; id: number; samlResponse: string; relayState: string | undefined; acsUrl: string; initiator: string | undefined; taskId: string | undefined }
  /** The tab of a silent task sits on a page that is not AWS: the IdP wants the user; the tab is in front now. */
  | { type: 'task-update'; taskId: string; state: 'needs-user' | 'closed' };

export type HostMessage =
  | { type: 'welcome'; sessions: number; idpOrigins: string[] }
  | { type: 'open'; taskId: string; url: string; interactive: boolean }
  | { type: 'assertion-result'; id: number; accepted: boolean; message: string };

export class ExtensionMessageError extends Error {}

const text = (value: unknown, what: string, max: number): string => {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw new ExtensionMessageError(`"${what}" must be a non-empty string of at most ${max} characters.`);
  return value;
};
const optionalText = (value: unknown, what: string, max: number): string | undefined => (value === undefined || value === null ? undefined : text(value, what, max));

/** One message from the browser, checked field by field; throws ExtensionMessageError saying what is wrong. */
export function parseExtensionMessage(value: unknown): ExtensionMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ExtensionMessageError('A message must be a JSON object.');
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'hello':
      return { type: 'hello', version: text(message.version, 'version', 64), userAgent: optionalText(message.userAgent, 'userAgent', 512) ?? '' };
    case 'assertion': {
      if (!Number.isSafeInteger(message.id)) throw new ExtensionMessageError('"id" must be an integer.');
      return {
        type: 'assertion',
        id: message.id as number,
        samlResponse: text(message.samlResponse, 'samlResponse', MAX_ASSERTION_CHARS),
        relayState: optionalText(message.relayState, 'relayState', 4096),
        acsUrl: text(message.acsUrl, 'acsUrl', 2048),
        initiator: optionalText(message.initiator, 'initiator', 2048),
        taskId: optionalText(message.taskId, 'taskId', 128),
      };
    }
    case 'task-update':
      if (message.state !== 'needs-user' && message.state !== 'closed') throw new ExtensionMessageError('"state" must be needs-user or closed.');
      return { type: 'task-update', taskId: text(message.taskId, 'taskId', 128), state: message.state };
    default:
      throw new ExtensionMessageError(`Unknown message type ${JSON.stringify(message.type ?? null)}.`);
  }
}
