import type { Writable } from 'node:stream';

export function writeJson(out: Writable, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** "valid until 14:05 (in 59 min)" — local time, as people read clocks. */
export function describeExpiry(expiresAt: number, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((expiresAt - now) / 60_000));
  const time = new Date(expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const left = minutes >= 120 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
  return `valid until ${time} (in ${left})`;
}
