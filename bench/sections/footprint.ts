import { RECLAIM_QUIET_MS } from '../../main/support/reclaim-after-bursts.js';
import { rssKiB } from '../lib/child.js';
import type { Section, SectionResult } from '../lib/context.js';
import { ratioRow, type ResultRow } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { runWrkFor, type WrkTotals } from '../lib/wrk.js';
import { DAEMON_ROLE, imdsRequest, imdsToken, loggedIn, roleList, type LoggedIn } from './daemon-setup.js';
import { freePort } from '../../test/support/free-ports.js';

const SAMPLE_MS = 250;
// The daemon hands its heap back once requests have stopped for RECLAIM_QUIET_MS (main/support/
// reclaim-after-bursts.ts). "Settled" waits for that, at idle and after load alike, so growth means retained memory.
const SETTLE_MS = RECLAIM_QUIET_MS + 10_000;
const QUICK_SETTLE_MS = 3_000;
const MOMENT_MS = 1_000;
// How much of its freed memory glibc keeps in each thread's arena differs from one process to the next by
// several MiB, whatever the process did: one daemon's ratio is one draw of that. The median of three is not.
const DAEMONS = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RSS after `waitMs` without requests: the median of three readings a moment apart. */
async function quietRss(pid: number, waitMs: number): Promise<number> {
  await sleep(waitMs);
  const readings: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    readings.push(await rssKiB(pid));
    await sleep(100);
  }
  return readings.sort((a, b) => a - b)[1]!;
}

/** Reads RSS every SAMPLE_MS while `work` runs. */
async function sampledRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; samples: number[] }> {
  const samples: number[] = [];
  const timer = setInterval(() => void rssKiB(pid).then((kib) => samples.push(kib), () => undefined), SAMPLE_MS);
  try {
    return { result: await work(), samples };
  } finally {
    clearInterval(timer);
  }
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

interface Trial {
  idle: number;
  rightAfterLoad: number;
  afterLoad: number;
  load: WrkTotals;
}

/**
 * A fresh daemon: RSS settled at idle, then right after and settled after `requests` credential fetches; then,
 * when `floodPuts` is given, through a flood of that many token PUTs.
 */
async function loadTrial(setup: LoggedIn, requests: number, settleMs: number, floodPuts?: number): Promise<Trial & { flood?: Flood }> {
  const port = await freePort();
  const daemon = setup.startDaemon(port);
  try {
    await daemon.waitFor(/Metadata proxy now available/, 60_000);
    const pid = daemon.child.pid!;
    const list = await roleList(port);
    if (list.status !== 200 || list.body !== DAEMON_ROLE) throw new Error(`the daemon serves no role: ${list.status} ${list.body}`);
    const path = `/latest/meta-data/iam/security-credentials/${list.body}`;
    const idle = await quietRss(pid, settleMs);
    const load = await runWrkFor(requests, { baseUrl: `http://127.0.0.1:${port}`, connections: 16, token: () => imdsToken(port), path });
    const rightAfterLoad = await quietRss(pid, MOMENT_MS);
    const afterLoad = await quietRss(pid, settleMs - MOMENT_MS);
    const flood = floodPuts === undefined ? undefined : await tokenFlood(port, pid, floodPuts, settleMs);
    return { idle, rightAfterLoad, afterLoad, load, ...(flood ? { flood } : {}) };
  } finally {
    await daemon.stop('SIGINT');
  }
}

interface Flood {
  flooded: WrkTotals;
  samples: number[];
  afterFlood: number;
  earlyTokenStatus: number;
}

async function tokenFlood(port: number, pid: number, puts: number, settleMs: number): Promise<Flood> {
  const path = `/latest/meta-data/iam/security-credentials/${DAEMON_ROLE}`;
  // A token issued before the flood: a bounded store must have evicted it by the end.
  const earlyToken = await imdsToken(port);
  const { result: flooded, samples } = await sampledRss(pid, () => runWrkFor(puts, { baseUrl: `http://127.0.0.1:${port}`, connections: 16, token: () => imdsToken(port), path, putOnly: true }));
  const afterFlood = await quietRss(pid, settleMs);
  const early = await imdsRequest(port, 'GET', path, { 'X-aws-ec2-metadata-token': earlyToken });
  return { flooded, samples, afterFlood, earlyTokenStatus: early.status };
}

export const footprint: Section = {
  id: 'footprint',
  title: '5. Footprint (daemon RSS)',
  async run(context): Promise<SectionResult> {
    // --quick: the flood still outnumbers the token store (10,000), so eviction is still shown.
    const requests = context.quick ? 5_000 : 100_000;
    const puts = context.quick ? 20_000 : 1_000_000;
    const daemons = context.quick ? 1 : DAEMONS;
    const settleMs = context.quick ? QUICK_SETTLE_MS : SETTLE_MS;
    const setup = await context.shared('logged-in', loggedIn);

    const trials: Trial[] = [];
    let flood: Flood | undefined;
    for (let i = 0; i < daemons; i += 1) {
      // The first daemon then takes the flood, once its load figures are in.
      const trial = await loadTrial(setup, requests, settleMs, i === 0 ? puts : undefined);
      flood ??= trial.flood;
      context.log(
        `  daemon ${i + 1}: idle ${mib(trial.idle)} MiB; after ${trial.load.requests} requests ${mib(trial.rightAfterLoad)} MiB at once, ${mib(trial.afterLoad)} MiB settled (${trial.load.non2xx + trial.load.socketErrors} failed)`,
      );
      trials.push(trial);
    }
    if (!flood) throw new Error('the token flood did not run');
    const { flooded, samples, afterFlood, earlyTokenStatus } = flood;
    const half = Math.floor(samples.length / 2);
    const firstHalfPeak = Math.max(...samples.slice(0, half));
    const secondHalfPeak = Math.max(...samples.slice(half));
    context.log(`  flood of ${flooded.requests} token PUTs: peak ${mib(Math.max(...samples))} MiB (first half ${mib(firstHalfPeak)}, second ${mib(secondHalfPeak)}), after ${mib(afterFlood)} MiB; early token → ${earlyTokenStatus}`);

    const idle = median(trials.map((t) => t.idle));
    const fewestRequests = Math.min(...trials.map((t) => t.load.requests));
    const failed = trials.reduce((sum, t) => sum + t.load.non2xx + t.load.socketErrors, 0) + flooded.non2xx + flooded.socketErrors;
    const across = daemons > 1 ? `, median of ${daemons} daemons` : '';
    const rows: ResultRow[] = [
      ratioRow(
        { section: '5', name: `RSS after ≥ ${fewestRequests.toLocaleString('en-US')} requests vs idle (both settled${across})`, unit: 'MiB', ours: mib(median(trials.map((t) => t.afterLoad))), baseline: { name: 'idle', value: mib(idle) } },
        { target: '< 1.10', met: (ratio) => ratio < 1.1 },
        median(trials.map((t) => t.afterLoad / t.idle)),
      ),
      ratioRow(
        { section: '5', name: `RSS 1 s after the requests vs idle (heap not yet returned${across})`, unit: 'MiB', ours: mib(median(trials.map((t) => t.rightAfterLoad))), baseline: { name: 'idle', value: mib(idle) } },
        undefined,
        median(trials.map((t) => t.rightAfterLoad / t.idle)),
      ),
      ratioRow(
        { section: '5', name: `RSS peak, 2nd half vs 1st half of ${flooded.requests.toLocaleString('en-US')} token PUTs`, unit: 'MiB', ours: mib(secondHalfPeak), baseline: { name: '1st half', value: mib(firstHalfPeak) } },
        { target: '≤ 1.10 (flat)', met: (ratio) => ratio <= 1.1 },
        secondHalfPeak / firstHalfPeak,
      ),
      ratioRow({ section: '5', name: 'RSS after the flood vs idle', unit: 'MiB', ours: mib(afterFlood), baseline: { name: 'idle', value: mib(trials[0]!.idle) } }, undefined, afterFlood / trials[0]!.idle),
      { section: '5', name: 'token issued before the flood, evicted (401)', unit: '', ours: earlyTokenStatus, target: '401', met: earlyTokenStatus === 401 },
      { section: '5', name: 'failed requests (loads + flood)', unit: '', ours: failed, target: '0', met: failed === 0 },
    ];
    return {
      rows,
      details: {
        settleSeconds: settleMs / 1000,
        daemons: trials.map((t) => ({ rssMiB: { idle: mib(t.idle), rightAfterLoad: mib(t.rightAfterLoad), afterLoad: mib(t.afterLoad) }, load: t.load })),
        flood: { ...flooded, peakMiB: mib(Math.max(...samples)), afterMiB: mib(afterFlood), rssSamplesMiB: samples.map(mib), earlyTokenStatus },
      },
    };
  },
};
