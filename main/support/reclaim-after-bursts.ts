import { getHeapStatistics } from 'node:v8';
import { measureMemory } from 'node:vm';
import { describeError } from './errors.js';
import { systemClock, type Clock } from './clock.js';
import { silentLogger, type Logger } from './logger.js';
import { systemTimers, type Timers } from './timers.js';

/**
 * Gives memory back once a burst of requests is over.
 *
 * Under thousands of requests a second V8 grows its young generation from 1 to 16 MiB per semi-space and
 * keeps it: it shrinks it only at a collection that finds the allocation rate low, and an idle daemon
 * allocates nothing, so no collection comes. A daemon that served one busy script would sit 30–40 MiB
 * above its idle size for hours. So once requests have stopped for a while and the heap has grown by more
 * than a collection is worth, one full collection runs; it finds the rate low and hands the pages back.
 */
export interface BurstReclaimer {
  /** Called for every request served: cheap, it only counts. */
  noteRequest(): void;
  stop(): void;
}

export interface BurstReclaimerOptions {
  /** How long without a request counts as the burst being over. */
  quietMs?: number;
  /** Heap growth since the last settled size below which a collection is not worth its pause. */
  minGrowthBytes?: number;
  /** The V8 heap's committed size. */
  heapSize?: () => number;
  /** One full collection; resolves once it is done. */
  collect?: () => Promise<unknown>;
  clock?: Clock;
  timers?: Timers;
  logger?: Logger;
}

// V8 shrinks the young generation at a collection only when the allocation rate since the one before is under
// 1,000 bytes/ms. A burst can end with a full 16 MiB semi-space, so 20 s of quiet is what guarantees it.
export const RECLAIM_QUIET_MS = 20_000;
export const RECLAIM_MIN_GROWTH_BYTES = 4 * 1024 * 1024;

const committedHeapBytes = () => getHeapStatistics().total_heap_size;
// The one public API that runs a full collection without --expose-gc: eager measurement collects at once.
const fullCollection = () => measureMemory({ mode: 'summary', execution: 'eager' });

export function createBurstReclaimer(options: BurstReclaimerOptions = {}): BurstReclaimer {
  const quietMs = options.quietMs ?? RECLAIM_QUIET_MS;
  const minGrowthBytes = options.minGrowthBytes ?? RECLAIM_MIN_GROWTH_BYTES;
  const heapSize = options.heapSize ?? committedHeapBytes;
  const collect = options.collect ?? fullCollection;
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const logger = options.logger ?? silentLogger;

  let settledBytes = heapSize();
  let lastRequestAt = 0;
  let timer: ReturnType<Timers['setTimeout']> | undefined;
  let collecting = false;
  let stopped = false;

  const settle = async () => {
    const before = heapSize();
    collecting = true;
    try {
      await collect();
      settledBytes = heapSize();
      logger.debug('heap reclaimed after a burst of requests', { beforeMiB: toMiB(before), afterMiB: toMiB(settledBytes) });
    } catch (error) {
      // Nothing is lost: V8 still shrinks the heap at its own next collection.
      settledBytes = before;
      logger.debug('could not reclaim the heap after a burst', { reason: describeError(error) });
    } finally {
      collecting = false;
    }
  };

  // Armed by the first request after a quiet spell and moved on while requests keep coming: an idle process
  // has no timer at all, a busy one fires once per quiet period.
  const arm = (delayMs: number) => {
    timer = timers.setTimeout(() => {
      timer = undefined;
      if (stopped) return;
      const quietFor = clock.monotonic() - lastRequestAt;
      if (quietFor < quietMs) arm(quietMs - quietFor);
      else if (!collecting && heapSize() - settledBytes > minGrowthBytes) void settle();
    }, delayMs);
  };

  return {
    noteRequest() {
      lastRequestAt = clock.monotonic();
      if (timer === undefined && !stopped) arm(quietMs);
    },
    stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}

const toMiB = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;
