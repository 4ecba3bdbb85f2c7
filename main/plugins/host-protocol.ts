/**
 * The messages between Cloudtoken and plugin-host.mjs, one JSON object each. Cloudtoken → host: `load`,
 * `call`, `reply` (to a request); host → Cloudtoken: `loaded`/`load-failed`, `result`, `request` (HTTP or a
 * prompt, answered with a reply), and `notify`/`log` (answered with nothing).
 */
export interface WireError {
  message: string;
  code?: string;
}

export type HostMessage =
  | { type: 'loaded'; kind: unknown; apiVersion: unknown }
  | { type: 'load-failed'; error: WireError }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: WireError }
  | { type: 'request'; id: number; callId: number; op: 'http' | 'prompt'; args: unknown }
  | { type: 'notify'; callId: number; text: string }
  | { type: 'log'; callId: number; message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A message from the host, or undefined for anything that is not one (a plugin cannot forge more than these). */
export function readHostMessage(raw: unknown): HostMessage | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  const error = (value: unknown): WireError =>
    isRecord(value) ? { message: String(value.message ?? 'no message'), ...(typeof value.code === 'string' ? { code: value.code } : {}) } : { message: 'no message' };
  switch (raw.type) {
    case 'loaded':
      return { type: 'loaded', kind: raw.kind, apiVersion: raw.apiVersion };
    case 'load-failed':
      return { type: 'load-failed', error: error(raw.error) };
    case 'result':
      if (typeof raw.id !== 'number') return undefined;
      return raw.ok === true ? { type: 'result', id: raw.id, ok: true, value: raw.value } : { type: 'result', id: raw.id, ok: false, error: error(raw.error) };
    case 'request':
      if (typeof raw.id !== 'number' || typeof raw.callId !== 'number' || (raw.op !== 'http' && raw.op !== 'prompt')) return undefined;
      return { type: 'request', id: raw.id, callId: raw.callId, op: raw.op, args: raw.args };
    case 'notify':
    case 'log':
      if (typeof raw.callId !== 'number') return undefined;
      return raw.type === 'notify' ? { type: 'notify', callId: raw.callId, text: String(raw.text ?? '') } : { type: 'log', callId: raw.callId, message: String(raw.message ?? '') };
    default:
      return undefined;
  }
}
