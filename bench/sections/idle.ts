import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { RECLAIM_QUIET_MS } from '../../main/support/reclaim-after-bursts.js';
import { rssKiB, startJsonChild } from '../lib/child.js';
import type { Section, SectionResult } from '../lib/context.js';
import { ratioRow } from '../lib/report.js';
import { DAEMON_ROLE, loggedIn, roleList } from './daemon-setup.js';
import { freePort } from '../../test/support/free-ports.js';

const BARE_SERVER = fileURLToPath(new URL('../servers/bare-http.mjs', import.meta.url));
const MINUTE = 60_000;
// The daemon collects once, RECLAIM_QUIET_MS after the last request (the role list below): idle starts after it.
const SETTLE_MS = RECLAIM_QUIET_MS + 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

/** Time on a CPU of every thread of a process, in ns (from /proc/<pid>/task/<tid>/schedstat: exact, not ticks). */
async function cpuNs(pid: number): Promise<number> {
  let total = 0;
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const text = await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '0');
    total += Number(text.split(' ')[0]);
  }
  return total;
}

/** System calls made by every thread of `pid` over `ms`, counted by `strace -f -c -p`. */
function countSyscalls(pid: number, ms: number): Promise<{ calls: number; summary: string }> {
  return new Promise((resolve, reject) => {
    const strace = spawn('strace', ['-f', '-c', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let summary = '';
    strace.stderr.setEncoding('utf8').on('data', (chunk: string) => (summary += chunk));
    strace.on('error', reject);
    const timer = setTimeout(() => strace.kill('SIGINT'), ms);
    strace.on('close', () => {
      clearTimeout(timer);
      // The last line: "100.00    0.000042     4     10      1 total" (errors may be absent).
      const total = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)(?:\s+\d+)?\s+total\s*$/m.exec(summary);
      // No table at all: strace saw not one call (it prints none then).
      if (!total && !/detached/.test(summary)) return reject(new Error(`strace did not attach: ${summary.slice(-500)}`));
      resolve({ calls: total ? Number(total[1]) : 0, summary: summary.replace(/^strace: Process \d+ (?:attached|detached).*\n/gm, '').trim() });
    });
  });
}

/** RSS, median of three readings a moment apart. */
async function settledRss(pid: number): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    readings.push(await rssKiB(pid));
    await sleep(100);
  }
  return readings.sort((a, b) => a - b)[1]!;
}

interface IdleFigures {
  syscallsPerMinute: number;
  cpuMs: number;
  rssKiB: number;
  syscalls: string;
}

/** Both processes side by side: settle, count system calls (strace slows what it traces: apart), then CPU. */
async function measureIdle(pids: { daemon: number; bare: number }, syscallMs: number, cpuMs: number): Promise<{ daemon: IdleFigures; bare: IdleFigures }> {
  const [daemonCalls, bareCalls] = await Promise.all([countSyscalls(pids.daemon, syscallMs), countSyscalls(pids.bare, syscallMs)]);
  const before = { daemon: await cpuNs(pids.daemon), bare: await cpuNs(pids.bare) };
  await sleep(cpuMs);
  const after = { daemon: await cpuNs(pids.daemon), bare: await cpuNs(pids.bare) };
  const figures = async (which: 'daemon' | 'bare', calls: { calls: number; summary: string }): Promise<IdleFigures> => ({
    syscallsPerMinute: (calls.calls * MINUTE) / syscallMs,
    cpuMs: (after[which] - before[which]) / 1e6,
    rssKiB: await settledRss(pids[which]),
    syscalls: calls.summary,
  });
  return { daemon: await figures('daemon', daemonCalls), bare: await figures('bare', bareCalls) };
}

export const idle: Section = {
  id: 'idle',
  title: '7. Idle daemon (system calls, CPU, RSS) vs a bare node:http server',
  async run(context): Promise<SectionResult> {
    const syscallMs = context.quick ? 10_000 : MINUTE;
    const cpuWindowMs = context.quick ? 15_000 : 5 * MINUTE;
    // Not shortened with --quick: before the collection the figures are those of a daemon just started.
    const settleMs = SETTLE_MS;
    const setup = await context.shared('logged-in', loggedIn);
    const port = await freePort();
    const daemon = setup.startDaemon(port);
    const bare = startJsonChild(BARE_SERVER, []);
    try {
      await daemon.waitFor(/Metadata proxy now available/, 60_000);
      await bare.nextMessage();
      const list = await roleList(port);
      if (list.status !== 200 || list.body !== DAEMON_ROLE) throw new Error(`the daemon serves no role: ${list.status} ${list.body}`);
      await sleep(settleMs);
      const measured = await measureIdle({ daemon: daemon.child.pid!, bare: bare.pid }, syscallMs, cpuWindowMs);
      const { daemon: ours, bare: baseline } = measured;
      context.log(`  daemon: ${ours.syscallsPerMinute.toFixed(1)} syscalls/min, ${ours.cpuMs.toFixed(1)} ms CPU, ${mib(ours.rssKiB)} MiB; node:http: ${baseline.syscallsPerMinute.toFixed(1)}/min, ${baseline.cpuMs.toFixed(1)} ms, ${mib(baseline.rssKiB)} MiB`);
      const cpuDifference = ours.cpuMs - baseline.cpuMs;
      return {
        rows: [
          {
            section: '7',
            name: `system calls per minute, idle (strace over ${syscallMs / 1000} s)`,
            unit: '/min',
            ours: ours.syscallsPerMinute,
            baseline: { name: 'node:http', value: baseline.syscallsPerMinute },
            // A difference, like the CPU row: the bare server's count may be 0 over a short window.
            ratio: ours.syscallsPerMinute - baseline.syscallsPerMinute,
            target: '≤ 10/min',
            met: ours.syscallsPerMinute <= 10,
          },
          {
            section: '7',
            name: `CPU over ${cpuWindowMs / 1000} idle seconds, ours − node:http`,
            unit: 'ms',
            ours: ours.cpuMs,
            baseline: { name: 'node:http', value: baseline.cpuMs },
            ratio: cpuDifference,
            target: '≤ 10 ms more',
            met: cpuDifference <= 10,
          },
          ratioRow(
            { section: '7', name: 'settled idle RSS vs node:http', unit: 'MiB', ours: mib(ours.rssKiB), baseline: { name: 'node:http', value: mib(baseline.rssKiB) } },
            { target: '≤ 1.5', met: (ratio) => ratio <= 1.5 },
            ours.rssKiB / baseline.rssKiB,
          ),
        ],
        details: { settleSeconds: settleMs / 1000, syscallSeconds: syscallMs / 1000, cpuSeconds: cpuWindowMs / 1000, daemon: ours, bare: baseline },
      };
    } finally {
      await daemon.stop('SIGINT');
      await bare.stop();
    }
  },
};
