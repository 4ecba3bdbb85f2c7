/** Timers a module schedules with; tests pass a fake driven by a fake clock. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

export type TimerHandle = { readonly __timer: unique symbol } | object;

// Node caps timeouts at 2^31-1 ms (~24.8 days) and fires at once beyond it.
const MAX_TIMEOUT_MS = 2_147_483_647;

/** Real timers that never keep a process alive on their own (the server or the app's event loop does). */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, Math.min(Math.max(0, ms), MAX_TIMEOUT_MS)).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (callback, ms) => setInterval(callback, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};
