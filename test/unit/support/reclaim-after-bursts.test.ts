import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createBurstReclaimer } from '../../../main/support/reclaim-after-bursts.js';
import { createLogger } from '../../../main/support/logger.js';
import { FakeClock } from '../../support/fake-clock.js';

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const MiB = 1_048_576;
const QUIET_MS = 20_000;

/** A heap whose committed size the test sets, and whose collections the test counts and shapes. */
function fakeHeap(startBytes: number) {
  const heap = {
    bytes: startBytes,
    collections: 0,
    afterCollection: startBytes,
    failNext: false,
    size: () => heap.bytes,
    collect: async () => {
      heap.collections += 1;
      if (heap.failNext) {
        heap.failNext = false;
        throw new Error('measureMemory is not available');
      }
      heap.bytes = heap.afterCollection;
    },
  };
  return heap;
}

function setUp(startBytes = 20 * MiB) {
  const clock = new FakeClock();
  const heap = fakeHeap(startBytes);
  const lines: string[] = [];
  const reclaimer = createBurstReclaimer({
    quietMs: QUIET_MS,
    minGrowthBytes: 4 * MiB,
    heapSize: heap.size,
    collect: heap.collect,
    clock,
    timers: clock,
    logger: createLogger({ level: 'debug', sink: (line) => lines.push(line) }),
  });
  /** One request that leaves the heap at `heapBytes`, then the quiet period. */
  const requestThenQuiet = async (heapBytes: number) => {
    reclaimer.noteRequest();
    heap.bytes = heapBytes;
    await clock.advance(QUIET_MS);
  };
  return { clock, heap, reclaimer, lines, requestThenQuiet };
}

describe('handing memory back after a burst of requests', () => {
  it('collects once the requests have stopped for the quiet period and the heap has grown', async () => {
    const { clock, heap, reclaimer } = setUp();
    for (let i = 0; i < 100; i += 1) {
      await clock.advance(100);
      reclaimer.noteRequest();
    }
    heap.bytes = 52 * MiB;
    await clock.advance(QUIET_MS - 1);
    expect(heap.collections).toBe(0);
    await clock.advance(1);
    expect(heap.collections).toBe(1);
    expect(heap.bytes).toBe(20 * MiB);
  });

  it('waits while requests keep coming, however long the burst lasts', async () => {
    const { clock, heap, reclaimer } = setUp();
    heap.bytes = 52 * MiB;
    for (let i = 0; i < 30; i += 1) {
      reclaimer.noteRequest();
      await clock.advance(QUIET_MS / 2);
    }
    expect(heap.collections).toBe(0);
    await clock.advance(QUIET_MS / 2);
    expect(heap.collections).toBe(1);
  });

  it('does nothing after requests that did not grow the heap enough to be worth a pause', async () => {
    const { clock, heap, reclaimer } = setUp();
    reclaimer.noteRequest();
    heap.bytes = 23 * MiB;
    await clock.advance(QUIET_MS * 3);
    expect(heap.collections).toBe(0);
  });

  it('has no timer at all while no request comes', async () => {
    const { clock, heap } = setUp();
    heap.bytes = 52 * MiB;
    expect(clock.pending()).toEqual([]);
    await clock.advance(QUIET_MS * 10);
    expect(heap.collections).toBe(0);
  });

  it('measures later growth from the size the last collection settled at', async () => {
    const { heap, requestThenQuiet } = setUp();
    heap.afterCollection = 30 * MiB;
    await requestThenQuiet(52 * MiB);
    expect(heap.collections).toBe(1);

    // 3 MiB above the settled 30 MiB: not worth it, although 13 MiB above the size at start.
    await requestThenQuiet(33 * MiB);
    expect(heap.collections).toBe(1);

    await requestThenQuiet(35 * MiB);
    expect(heap.collections).toBe(2);
  });

  it('survives a collection that fails, logs why, and does not retry until the heap grows again', async () => {
    const { heap, lines, requestThenQuiet } = setUp();
    heap.failNext = true;
    await requestThenQuiet(52 * MiB);
    expect(heap.collections).toBe(1);
    expect(lines.join('\n')).toContain('measureMemory is not available');

    await requestThenQuiet(52 * MiB);
    expect(heap.collections).toBe(1);

    await requestThenQuiet(60 * MiB);
    expect(heap.collections).toBe(2);
  });

  it('never collects once stopped', async () => {
    const { clock, heap, reclaimer } = setUp();
    reclaimer.noteRequest();
    heap.bytes = 52 * MiB;
    reclaimer.stop();
    reclaimer.noteRequest();
    await clock.advance(QUIET_MS * 3);
    expect(heap.collections).toBe(0);
    expect(clock.pending()).toEqual([]);
  });
});

describe('the reclaimer on a real V8 heap', () => {
  const fixture = fileURLToPath(new URL('./fixtures/idle-after-garbage.ts', import.meta.url));
  const run = async (mode: 'reclaim' | 'leave') => {
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', fixture, mode, '300', '2500'], { cwd: repoRoot });
    return JSON.parse(stdout) as { grown: number; later: number };
  };

  it('gives the heap back once quiet, where V8 alone keeps it', async () => {
    const [left, reclaimed] = await Promise.all([run('leave'), run('reclaim')]);
    // The control: an idle process holds on to its grown heap (V8's own reducer waits far longer).
    expect(left.grown).toBeGreaterThan(40 * MiB);
    expect(left.later).toBeGreaterThan(left.grown - 4 * MiB);
    expect(reclaimed.grown).toBeGreaterThan(40 * MiB);
    expect(reclaimed.later).toBeLessThan(reclaimed.grown - 20 * MiB);
  });
});
