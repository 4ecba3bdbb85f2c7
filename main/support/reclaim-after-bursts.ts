import { getHeapSpaceStatistics } from 'node:v8';
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
 * above its idle size for hours. So once requests have stopped for a while, if the young generation is
 * larger than the last collection left it, one full collection runs: it finds the rate low, shrinks the
 * young generation and frees the burst's garbage. The first quiet spell always collects, which also
 * clears what signing in left behind.
 */
export interface BurstReclaimer {
  /** Called for every request served: cheap, it only notes the time. */
  noteRequest(): void;
  stop(): void;
}

export interface BurstReclaimerOptions {
  /** How long without a request counts as the burst being over. */
  quietMs?: number;
  /** The young generation's committed size. */
  youngGenerationSize?: () => number;
  /** One full collection; resolves once it is done. */
  collect?: () => Promise<unknown>;
  clock?: Clock;
  timers?: Timers;
  logger?: Logger;
}

// V8 shrinks the young generation at a collection only when the allocation rate since the one before is under
// 1,000 bytes/ms. A burst can end with a full 16 MiB semi-space, so 20 s of quiet is what guarantees it.
export const RECLAIM_QUIET_MS = 20_000;

const youngGenerationBytes = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
/**
 * A full collection through the one public API that runs one without --expose-gc: eager measurement collects at
 * once. The API announces itself as experimental on stderr the first time; a daemon's user would find that
 * notice in their terminal 20 s after their first AWS call, so it is held back for this one synchronous call.
 */
function fullCollection(): Promise<unknown> {
  const emitWarning = process.emitWarning;
  process.emitWarning = function holdBackMeasureMemoryNotice(this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    if (typeof warning === 'string' && warning.startsWith('vm.measureMemory')) return;
    Reflect.apply(emitWarning, this, [warning, ...rest]);
  } as typeof process.emitWarning;
  try {
    return measureMemory({ mode: 'summary', execution: 'eager' });
  } finally {
    process.emitWarning = emitWarning;
  }
}

export function createBurstReclaimer(options: BurstReclaimerOptions = {}): BurstReclaimer {
  const quietMs = options.quietMs ?? RECLAIM_QUIET_MS;
  const youngSize = options.youngGenerationSize ?? youngGenerationBytes;
  const collect = options.collect ?? fullCollection;
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const logger = options.logger ?? silentLogger;

  // What the last collection left; undefined until the first one.
  let settledYoung: number | undefined;
  let lastRequestAt = 0;
  let timer: ReturnType<Timers['setTimeout']> | undefined;
  let collecting = false;
  let stopped = false;

  const reclaim = async () => {
    const before = youngSize();
    collecting = true;
    try {
      await collect();
      logger.debug('heap reclaimed after a burst of requests', { youngBeforeMiB: toMiB(before), youngAfterMiB: toMiB(youngSize()) });
    } catch (error) {
      // Nothing is lost: V8 still shrinks the heap at its own next collection.
      logger.debug('could not reclaim the heap after a burst', { reason: describeError(error) });
    } finally {
      // Measured after a failure too, so a failing collection is not retried until the heap grows again.
      settledYoung = youngSize();
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
      else if (!collecting && (settledYoung === undefined || youngSize() > settledYoung)) void reclaim();
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
