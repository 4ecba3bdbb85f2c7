import { spawn } from 'node:child_process';
import { CLOUDTOKEN_BIN } from '../../test/support/cli.js';
import type { Section, SectionResult } from '../lib/context.js';
import { ratioRow } from '../lib/report.js';
import { median, round, since } from '../lib/stats.js';
import { DAEMON_ROLE, loggedIn, roleList, type LoggedIn } from './daemon-setup.js';
import { freePort } from '../../test/support/free-ports.js';

const POLL_MS = 5;
const GIVE_UP_MS = 60_000;

/**
 * Launch → the role list answers 200 with our role (and, for reference, → the daemon saying it listens);
 * then Ctrl-C and wait for the daemon to exit.
 */
async function daemonStart(setup: LoggedIn): Promise<{ servingMs: number; announcedMs: number | undefined }> {
  const port = await freePort();
  const start = performance.now();
  const daemon = setup.startDaemon(port);
  let announcedMs: number | undefined;
  daemon.waitFor(/Metadata proxy now available/, GIVE_UP_MS).then(
    () => (announcedMs = since(start)),
    () => undefined,
  );
  try {
    for (;;) {
      const answer = await roleList(port);
      if (answer.status === 200 && answer.body === DAEMON_ROLE) return { servingMs: since(start), announcedMs };
      if (daemon.child.exitCode !== null) throw new Error(`the daemon exited (${daemon.child.exitCode}): ${daemon.output}`);
      if (since(start) > GIVE_UP_MS) throw new Error(`the daemon did not serve ${DAEMON_ROLE} within ${GIVE_UP_MS} ms: ${daemon.output}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await daemon.stop('SIGINT');
  }
}

/** Launch → exit of `node <args>`: `-e 0` is Node's own start-up; `cloudtoken help` adds loading our code. */
export function exitMs(args: string[], env: Record<string, string>): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore', env });
    child.on('error', reject);
    child.on('close', () => resolve(since(start)));
  });
}

export const startup: Section = {
  id: 'startup',
  title: '6. Start-up (daemon launch to IMDS answering, signed in already)',
  async run(context): Promise<SectionResult> {
    const runs = context.quick ? 1 : 5;
    const setup = await context.shared('logged-in', loggedIn);
    const daemon: number[] = [];
    const announced: Array<number | undefined> = [];
    const node: number[] = [];
    const help: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      node.push(await exitMs(['-e', '0'], setup.env));
      help.push(await exitMs([CLOUDTOKEN_BIN, 'help'], setup.env));
      const started = await daemonStart(setup);
      daemon.push(started.servingMs);
      announced.push(started.announcedMs);
      context.log(
        `  run ${i + 1}: node -e 0 ${round(node.at(-1)!)} ms, cloudtoken help ${round(help.at(-1)!)} ms, ` +
          `daemon serving ${round(started.servingMs)} ms (said it listens at ${round(started.announcedMs ?? NaN)} ms)`,
      );
    }
    const rows = [
      ratioRow(
        { section: '6', name: 'daemon launch → role list 200 (median)', unit: 'ms', ours: median(daemon), baseline: { name: 'node -e 0', value: median(node) } },
        undefined,
        median(daemon.map((ms, i) => ms / node[i]!)),
      ),
      ratioRow(
        { section: '6', name: 'cloudtoken help, launch → exit (median)', unit: 'ms', ours: median(help), baseline: { name: 'node -e 0', value: median(node) } },
        undefined,
        median(help.map((ms, i) => ms / node[i]!)),
      ),
    ];
    return { rows, details: { runs, daemonMs: daemon.map((ms) => round(ms)), announcedListeningMs: announced.map((ms) => (ms === undefined ? null : round(ms))), nodeMs: node.map((ms) => round(ms)), cloudtokenHelpMs: help.map((ms) => round(ms)), pollMs: POLL_MS } };
  },
};
