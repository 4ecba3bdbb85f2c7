import { rssKiB } from '../lib/child.js';
import type { Section, SectionResult } from '../lib/context.js';
import { ratioRow, type ResultRow } from '../lib/report.js';
import { runWrkFor } from '../lib/wrk.js';
import { DAEMON_ROLE, freePort, imdsRequest, imdsToken, loggedIn, roleList } from './daemon-setup.js';

const SAMPLE_MS = 250;
// V8's memory reducer hands unused heap pages back once a process has been quiet for some seconds (about 15 s
// here after a burst). "Settled" waits for that, at idle and after load alike, so growth means retained memory.
const SETTLE_MS = 30_000;
const QUICK_SETTLE_MS = 3_000;
const MOMENT_MS = 1_000;

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

export const footprint: Section = {
  id: 'footprint',
  title: '5. Footprint (daemon RSS)',
  async run(context): Promise<SectionResult> {
    // --quick: the flood still outnumbers the token store (10,000), so eviction is still shown.
    const requests = context.quick ? 5_000 : 100_000;
    const flood = context.quick ? 20_000 : 1_000_000;
    const setup = await context.shared('logged-in', loggedIn);
    const port = await freePort();
    const daemon = setup.startDaemon(port);
    try {
      await daemon.waitFor(/Metadata proxy now available/, 60_000);
      const pid = daemon.child.pid!;
      const list = await roleList(port);
      if (list.status !== 200 || list.body !== DAEMON_ROLE) throw new Error(`the daemon serves no role: ${list.status} ${list.body}`);
      const baseUrl = `http://127.0.0.1:${port}`;
      const path = `/latest/meta-data/iam/security-credentials/${list.body}`;

      const settleMs = context.quick ? QUICK_SETTLE_MS : SETTLE_MS;
      const idle = await quietRss(pid, settleMs);
      const load = await runWrkFor(requests, { baseUrl, connections: 16, token: () => imdsToken(port), path });
      const rightAfterLoad = await quietRss(pid, MOMENT_MS);
      const afterLoad = await quietRss(pid, settleMs - MOMENT_MS);
      context.log(
        `  idle ${mib(idle)} MiB; after ${load.requests} requests ${mib(rightAfterLoad)} MiB at once, ${mib(afterLoad)} MiB settled (${load.non2xx + load.socketErrors} failed)`,
      );

      // A token issued before the flood: a bounded store must have evicted it by the end.
      const earlyToken = await imdsToken(port);
      const { result: flooded, samples } = await sampledRss(pid, () => runWrkFor(flood, { baseUrl, connections: 16, token: () => imdsToken(port), path, putOnly: true }));
      const afterFlood = await quietRss(pid, settleMs);
      const early = await imdsRequest(port, 'GET', path, { 'X-aws-ec2-metadata-token': earlyToken });
      const half = Math.floor(samples.length / 2);
      const firstHalfPeak = Math.max(...samples.slice(0, half));
      const secondHalfPeak = Math.max(...samples.slice(half));
      context.log(`  flood of ${flooded.requests} token PUTs: peak ${mib(Math.max(...samples))} MiB (first half ${mib(firstHalfPeak)}, second ${mib(secondHalfPeak)}), after ${mib(afterFlood)} MiB; early token → ${early.status}`);

      const rows: ResultRow[] = [
        ratioRow(
          { section: '5', name: `RSS after ${load.requests.toLocaleString('en-US')} requests vs idle (both settled)`, unit: 'MiB', ours: mib(afterLoad), baseline: { name: 'idle', value: mib(idle) } },
          { target: '< 1.10', met: (ratio) => ratio < 1.1 },
          afterLoad / idle,
        ),
        ratioRow(
          { section: '5', name: `RSS 1 s after ${load.requests.toLocaleString('en-US')} requests vs idle (heap not yet returned)`, unit: 'MiB', ours: mib(rightAfterLoad), baseline: { name: 'idle', value: mib(idle) } },
          undefined,
          rightAfterLoad / idle,
        ),
        ratioRow(
          { section: '5', name: `RSS peak, 2nd half vs 1st half of ${flooded.requests.toLocaleString('en-US')} token PUTs`, unit: 'MiB', ours: mib(secondHalfPeak), baseline: { name: '1st half', value: mib(firstHalfPeak) } },
          { target: '≤ 1.10 (flat)', met: (ratio) => ratio <= 1.1 },
          secondHalfPeak / firstHalfPeak,
        ),
        ratioRow({ section: '5', name: 'RSS after the flood vs idle', unit: 'MiB', ours: mib(afterFlood), baseline: { name: 'idle', value: mib(idle) } }, undefined, afterFlood / idle),
        { section: '5', name: 'token issued before the flood, evicted (401)', unit: '', ours: early.status, target: '401', met: early.status === 401 },
        {
          section: '5',
          name: 'failed requests (load + flood)',
          unit: '',
          ours: load.non2xx + load.socketErrors + flooded.non2xx + flooded.socketErrors,
          target: '0',
          met: load.non2xx + load.socketErrors + flooded.non2xx + flooded.socketErrors === 0,
        },
      ];
      return {
        rows,
        details: {
          settleSeconds: settleMs / 1000,
          rssMiB: { idle: mib(idle), rightAfterLoad: mib(rightAfterLoad), afterLoad: mib(afterLoad), floodPeak: mib(Math.max(...samples)), afterFlood: mib(afterFlood) },
          load,
          flood: flooded,
          floodRssSamplesMiB: samples.map(mib),
          earlyTokenStatus: early.status,
        },
      };
    } finally {
      await daemon.stop('SIGINT');
    }
  },
};
