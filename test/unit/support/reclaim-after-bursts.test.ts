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

/** A young generation whose size the test sets, and whose collections the test counts and shapes. */
function fakeHeap() {
  const heap = {
    young: 16 * MiB,
    afterCollection: 1 * MiB,
    collections: 0,
    failNext: false,
    collect: async () => {
      heap.collections += 1;
      if (heap.failNext) {
        heap.failNext = false;
        throw new Error('measureMemory is not available');
      }
      heap.young = heap.afterCollection;
    },
  };
  return heap;
}

function setUp() {
  const clock = new FakeClock();
  const heap = fakeHeap();
  const lines: string[] = [];
  const reclaimer = createBurstReclaimer({
    quietMs: QUIET_MS,
    youngGenerationSize: () => heap.young,
    collect: heap.collect,
    clock,
    timers: clock,
    logger: createLogger({ level: 'debug', sink: (line) => lines.push(line) }),
  });
  /** One request that leaves the young generation at `youngBytes`, then the quiet period. */
  const requestThenQuiet = async (youngBytes: number) => {
    reclaimer.noteRequest();
    heap.young = youngBytes;
    await clock.advance(QUIET_MS);
  };
  return { clock, heap, reclaimer, lines, requestThenQuiet };
}

describe('handing memory back after a burst of requests', () => {
  it('collects once the requests have stopped for the quiet period, not before', async () => {
    const { clock, heap, reclaimer } = setUp();
    for (let i = 0; i < 100; i += 1) {
      await clock.advance(100);
      reclaimer.noteRequest();
    }
    await clock.advance(QUIET_MS - 1);
    expect(heap.collections).toBe(0);
    await clock.advance(1);
    expect(heap.collections).toBe(1);
    expect(heap.young).toBe(1 * MiB);
  });

  it('waits while requests keep coming, however long the burst lasts', async () => {
    const { clock, heap, reclaimer } = setUp();
    for (let i = 0; i < 30; i += 1) {
      reclaimer.noteRequest();
      await clock.advance(QUIET_MS / 2);
    }
    expect(heap.collections).toBe(0);
    await clock.advance(QUIET_MS / 2);
    expect(heap.collections).toBe(1);
  });

  it('after the first, collects only when the young generation outgrew what the last collection left', async () => {
    const { heap, requestThenQuiet } = setUp();
    await requestThenQuiet(16 * MiB);
    expect(heap.collections).toBe(1);

    // Light use: a few requests never grow the young generation, and cost no collection.
    await requestThenQuiet(1 * MiB);
    await requestThenQuiet(1 * MiB);
    expect(heap.collections).toBe(1);

    await requestThenQuiet(4 * MiB);
    expect(heap.collections).toBe(2);
  });

  it('has no timer at all while no request comes', async () => {
    const { clock, heap } = setUp();
    expect(clock.pending()).toEqual([]);
    await clock.advance(QUIET_MS * 10);
    expect(heap.collections).toBe(0);
  });

  it('survives a collection that fails, logs why, and does not retry until the young generation grows', async () => {
    const { heap, lines, requestThenQuiet } = setUp();
    heap.failNext = true;
    await requestThenQuiet(16 * MiB);
    expect(heap.collections).toBe(1);
    expect(lines.join('\n')).toContain('measureMemory is not available');

    await requestThenQuiet(16 * MiB);
    expect(heap.collections).toBe(1);

    await requestThenQuiet(32 * MiB);
    expect(heap.collections).toBe(2);
  });

  it('never collects once stopped', async () => {
    const { clock, heap, reclaimer } = setUp();
    reclaimer.noteRequest();
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
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', fixture, mode, '300', '2500'], { cwd: repoRoot });
    return { ...(JSON.parse(stdout) as { grown: number; later: number }), stderr };
  };

  it('gives the heap back once quiet, where V8 alone keeps it', async () => {
    const [left, reclaimed] = await Promise.all([run('leave'), run('reclaim')]);
    // The control: an idle process holds on to its grown heap (V8's own reducer waits far longer).
    expect(left.grown).toBeGreaterThan(40 * MiB);
    expect(left.later).toBeGreaterThan(left.grown - 4 * MiB);
    expect(reclaimed.grown).toBeGreaterThan(40 * MiB);
    expect(reclaimed.later).toBeLessThan(reclaimed.grown - 20 * MiB);
    // Nothing for a daemon's user to wonder about: vm.measureMemory's experimental notice stays out of stderr.
    expect(reclaimed.stderr).toBe('');
  });
});
