import type { Clock } from '../../main/support/clock.js';
import type { TimerHandle, Timers } from '../../main/support/timers.js';

interface Scheduled {
  id: number;
  at: number;
  callback: () => void;
  every: number | undefined;
}

/**
 * A clock and timers that move only when the test says so. `advance` fires due timers in order, letting
 * promise chains settle between them; `sleep` moves the wall clock alone, as a suspended laptop does.
 */
export class FakeClock implements Clock, Timers {
  private wall: number;
  private mono = 0;
  private nextId = 1;
  private readonly scheduled = new Map<number, Scheduled>();

  constructor(start = Date.UTC(2026, 10, 25, 9, 0, 0)) {
    this.wall = start;
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.add(callback, ms, undefined);
  }

  setInterval(callback: () => void, ms: number): TimerHandle {
    return this.add(callback, ms, ms);
  }

  clearTimeout(handle: TimerHandle): void {
    this.scheduled.delete((handle as { id: number }).id);
  }

  clearInterval(handle: TimerHandle): void {
    this.clearTimeout(handle);
  }

  pending(): number[] {
    return [...this.scheduled.values()].filter((s) => s.every === undefined).map((s) => s.at).sort((a, b) => a - b);
  }

  /** Move both clocks forward, firing every timer that comes due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.wall + ms;
    for (;;) {
      const due = [...this.scheduled.values()].filter((s) => s.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.moveTo(due.at);
      if (due.every === undefined) this.scheduled.delete(due.id);
      else due.at += due.every;
      due.callback();
      await settle();
    }
    this.moveTo(target);
    await settle();
  }

  /** The machine slept: wall time passes, monotonic time and timers do not. */
  sleep(ms: number): void {
    this.wall += ms;
    for (const s of this.scheduled.values()) s.at += ms;
  }

  private moveTo(at: number): void {
    if (at < this.wall) return;
    this.mono += at - this.wall;
    this.wall = at;
  }

  private add(callback: () => void, ms: number, every: number | undefined): TimerHandle {
    const id = this.nextId++;
    this.scheduled.set(id, { id, at: this.wall + Math.max(0, ms), callback, every });
    return { id };
  }
}

/** Let pending promise chains (and real I/O callbacks queued meanwhile) run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}
