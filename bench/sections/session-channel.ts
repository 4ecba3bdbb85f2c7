import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callerArn } from '../../test/support/caller-identity.js';
import { CLOUDTOKEN_BIN, runCloudtoken } from '../../test/support/cli.js';
import type { Section, SectionResult } from '../lib/context.js';
import { ratioRow, type ResultRow } from '../lib/report.js';
import { median, round, since } from '../lib/stats.js';
import { interleaved } from './client-latency.js';
import { DAEMON_ROLE, loggedIn, type LoggedIn } from './daemon-setup.js';
import { freePort } from '../../test/support/free-ports.js';
import { exitMs } from './startup.js';

/**
 * credential_process served by a running session over its channel (issue 18), against the same AWS CLI call
 * with the credentials in environment variables, and against today's figure without a session (a sign-in at
 * the IdP and an AssumeRoleWithSAML call per AWS command). Runs alternate, medians compared.
 */
const RATIO_TARGET = { target: '≤ 1.10', met: (ratio: number) => ratio <= 1.1 };
const LAUNCH_TARGET = { target: '≤ 2.5', met: (ratio: number) => ratio <= 2.5 };

const paired = (samples: { a: number[]; b: number[] }) => median(samples.a.map((a, i) => a / samples.b[i]!));

/** What the AWS CLI costs, in time and in IdP and STS requests, over `times` calls alternated with env-var calls. */
async function awsCalls(setup: LoggedIn, times: number, viaProcess: Record<string, string>, viaEnv: Record<string, string>, home: string, expectedArn: string) {
  const timed = (vars: Record<string, string>) => async () => {
    const start = performance.now();
    const arn = await callerArn('aws-cli', setup.env.AWS_ENDPOINT_URL_STS!, vars, home);
    const ms = since(start);
    if (arn !== expectedArn) throw new Error(`aws sts get-caller-identity answered ${arn}, not ${expectedArn}`);
    return ms;
  };
  const idpBefore = setup.idpRequests();
  const stsBefore = setup.assumeRoleCalls();
  const samples = await interleaved(times, timed(viaProcess), timed(viaEnv));
  return { samples, idpRequests: setup.idpRequests() - idpBefore, assumeRoleCalls: setup.assumeRoleCalls() - stsBefore };
}

export const sessionChannel: Section = {
  id: 'session-channel',
  title: '8. credential_process served by a running session',
  async run(context): Promise<SectionResult> {
    const calls = context.quick ? 3 : 100;
    const todayCalls = context.quick ? 2 : 10;
    const launches = context.quick ? 3 : 20;
    const setup = await context.shared('logged-in', loggedIn);
    const home = await mkdtemp(join(tmpdir(), 'cloudtoken-bench-channel-'));
    const port = await freePort();
    const daemon = setup.startDaemon(port);
    try {
      const config = join(home, 'aws-config');
      const noConfig = join(home, 'no-config');
      await writeFile(config, `[profile ct]\ncredential_process = ${process.execPath} ${CLOUDTOKEN_BIN} credential-process --role ${DAEMON_ROLE}\n`);
      await writeFile(noConfig, '');
      const viaProcess = {
        AWS_CONFIG_FILE: config,
        AWS_SHARED_CREDENTIALS_FILE: noConfig,
        AWS_PROFILE: 'ct',
        AWS_EC2_METADATA_DISABLED: 'true',
        CLOUDTOKEN_HOME: setup.env.CLOUDTOKEN_HOME!,
        AWS_ENDPOINT_URL_STS: setup.env.AWS_ENDPOINT_URL_STS!,
      };
      const credentialProcess = ['credential-process', '--role', DAEMON_ROLE];

      // With the session running first; then today's figure, once the daemon has stopped.
      await daemon.waitFor(/served by this session through/, 60_000).catch((error: unknown) => {
        throw new Error(`the daemon did not offer its channel: ${(error as Error).message}`);
      });
      const answer = await runCloudtoken(credentialProcess, setup.env);
      if (answer.code !== 0) throw new Error(`credential-process failed: ${answer.stderr}`);
      const served = JSON.parse(answer.stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
      const viaEnv = {
        AWS_ACCESS_KEY_ID: served.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: served.SecretAccessKey,
        AWS_SESSION_TOKEN: served.SessionToken,
        AWS_CONFIG_FILE: noConfig,
        AWS_SHARED_CREDENTIALS_FILE: noConfig,
        AWS_EC2_METADATA_DISABLED: 'true',
      };
      const expectedArn = `arn:aws:sts::111111111111:assumed-role/${DAEMON_ROLE}/alice@example.org`;
      if (!context.quick) await awsCalls(setup, 1, viaProcess, viaEnv, home, expectedArn);
      const withSession = await awsCalls(setup, calls, viaProcess, viaEnv, home, expectedArn);
      context.log(`  aws CLI, ${calls} calls each: credential_process ${round(median(withSession.samples.a))} ms, env ${round(median(withSession.samples.b))} ms; IdP requests ${withSession.idpRequests}, AssumeRoleWithSAML ${withSession.assumeRoleCalls}`);
      const launch = await interleaved(launches, () => exitMs([CLOUDTOKEN_BIN, ...credentialProcess], setup.env), () => exitMs(['-e', '0'], setup.env));
      context.log(`  credential-process launch → exit ${round(median(launch.a))} ms, node -e 0 ${round(median(launch.b))} ms`);

      await daemon.stop('SIGINT');
      const withoutSession = await awsCalls(setup, todayCalls, viaProcess, viaEnv, home, expectedArn);
      context.log(`  without a session, ${todayCalls} calls: credential_process ${round(median(withoutSession.samples.a))} ms; IdP requests ${withoutSession.idpRequests}, AssumeRoleWithSAML ${withoutSession.assumeRoleCalls}`);
      const launchAlone = await interleaved(context.quick ? 1 : 5, () => exitMs([CLOUDTOKEN_BIN, ...credentialProcess], setup.env), () => exitMs(['-e', '0'], setup.env));

      const count = (name: string, value: number): ResultRow => ({ section: '8', name, unit: '', ours: value, target: '0', met: value === 0 });
      const envBaseline = (samples: { b: number[] }) => ({ name: 'env vars', value: median(samples.b) });
      const rows: ResultRow[] = [
        ratioRow({ section: '8', name: 'aws sts get-caller-identity via credential_process, session running, vs env vars (median)', unit: 'ms', ours: median(withSession.samples.a), baseline: envBaseline(withSession.samples) }, RATIO_TARGET, paired(withSession.samples)),
        ratioRow({ section: '8', name: 'the same without a session (today: a sign-in per call)', unit: 'ms', ours: median(withoutSession.samples.a), baseline: envBaseline(withoutSession.samples) }, undefined, paired(withoutSession.samples)),
        count(`IdP requests over ${calls} calls, session running`, withSession.idpRequests),
        count(`AssumeRoleWithSAML calls over ${calls} calls, session running`, withSession.assumeRoleCalls),
        { section: '8', name: `IdP requests over ${todayCalls} calls without a session (today)`, unit: '', ours: withoutSession.idpRequests },
        { section: '8', name: `AssumeRoleWithSAML calls over ${todayCalls} calls without a session (today)`, unit: '', ours: withoutSession.assumeRoleCalls },
        ratioRow({ section: '8', name: 'cloudtoken credential-process launch → exit, session running (median)', unit: 'ms', ours: median(launch.a), baseline: { name: 'node -e 0', value: median(launch.b) } }, LAUNCH_TARGET, paired(launch)),
        ratioRow({ section: '8', name: 'the same without a session (today: sign-in and STS)', unit: 'ms', ours: median(launchAlone.a), baseline: { name: 'node -e 0', value: median(launchAlone.b) } }, undefined, paired(launchAlone)),
      ];
      const ms = (samples: number[]) => samples.map((s) => round(s));
      return {
        rows,
        details: {
          calls,
          todayCalls,
          withSession: { credentialProcessMs: ms(withSession.samples.a), envMs: ms(withSession.samples.b), idpRequests: withSession.idpRequests, assumeRoleCalls: withSession.assumeRoleCalls },
          withoutSession: { credentialProcessMs: ms(withoutSession.samples.a), envMs: ms(withoutSession.samples.b), idpRequests: withoutSession.idpRequests, assumeRoleCalls: withoutSession.assumeRoleCalls },
          launch: { credentialProcessMs: ms(launch.a), nodeMs: ms(launch.b) },
          launchWithoutSession: { credentialProcessMs: ms(launchAlone.a), nodeMs: ms(launchAlone.b) },
        },
      };
    } finally {
      await daemon.stop('SIGINT');
      await rm(home, { recursive: true, force: true });
    }
  },
};

