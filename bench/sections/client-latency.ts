import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromInstanceMetadata } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { createImdsApp } from '../../main/imds/app.js';
import { startMetadataServer } from '../../main/imds/server.js';
import { toServedCredentials } from '../../main/runtime/serving.js';
import { callerArn } from '../../test/support/caller-identity.js';
import type { Section, SectionResult } from '../lib/context.js';
import { ratioRow } from '../lib/report.js';
import { median, percentile, round, since } from '../lib/stats.js';
import { standInWithCredentials } from './sts-credentials.js';

const TARGET = { target: '≤ 1.05', met: (ratio: number) => ratio <= 1.05 };
const JS_BLOCK = 10;

/** Runs a and b alternately (a, b, a, b…) so that drift on the machine falls on both alike. */
export async function interleaved(times: number, a: () => Promise<number>, b: () => Promise<number>): Promise<{ a: number[]; b: number[] }> {
  const samples = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < times; i += 1) {
    samples.a.push(await a());
    samples.b.push(await b());
  }
  return samples;
}

/** The SDK reads AWS_EC2_METADATA_SERVICE_ENDPOINT and config files from the process environment. */
async function withEnvironment<T>(vars: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    return await work();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export const clientLatency: Section = {
  id: 'client-latency',
  title: '2. What clients feel (AWS CLI, JS SDK)',
  async run(context): Promise<SectionResult> {
    // --quick: the CLI costs about a CPU-second per run, so one pair only.
    const cliRuns = context.quick ? 1 : 10;
    const jsCalls = context.quick ? 50 : 1_000;
    const { standIn, held } = await standInWithCredentials();
    const served = toServedCredentials(held);
    const app = createImdsApp({ credentials: () => served, region: 'us-east-1' });
    const imds = await startMetadataServer({ app, host: '127.0.0.1', port: 0 });
    const home = await mkdtemp(join(tmpdir(), 'cloudtoken-bench-clients-'));
    try {
      const { accessKeyId, secretAccessKey, sessionToken } = held.credentials;
      const viaImds = { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url };
      const viaEnv = { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken, AWS_EC2_METADATA_DISABLED: 'true' };
      const timedCli = (vars: Record<string, string>) => async () => {
        const start = performance.now();
        const arn = await callerArn('aws-cli', standIn.url, vars, home);
        const ms = since(start);
        if (arn !== held.assumedRoleArn) throw new Error(`aws sts get-caller-identity answered ${arn}, not ${held.assumedRoleArn}`);
        return ms;
      };
      // One of each first (file-system caches, Python byte code), except in --quick.
      if (!context.quick) {
        await timedCli(viaImds)();
        await timedCli(viaEnv)();
      }
      const cli = await interleaved(cliRuns, timedCli(viaImds), timedCli(viaEnv));
      context.log(`  aws CLI: IMDS ${round(median(cli.a))} ms, env ${round(median(cli.b))} ms (median of ${cliRuns})`);

      const staticCredentials: AwsCredentialIdentity = { accessKeyId, secretAccessKey, sessionToken };
      const sdkEnvironment = {
        ...viaImds,
        AWS_CONFIG_FILE: join(home, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
      };
      // A fresh client per call, each finding its credentials anew: the cost a short-lived program pays.
      const timedSdkBlock = (credentials: () => AwsCredentialIdentity | AwsCredentialIdentityProvider) => async () => {
        const start = performance.now();
        for (let i = 0; i < JS_BLOCK; i += 1) {
          const client = new STSClient({ region: 'us-east-1', endpoint: standIn.url, credentials: credentials() });
          const answer = await client.send(new GetCallerIdentityCommand({}));
          client.destroy();
          if (answer.Arn !== held.assumedRoleArn) throw new Error(`GetCallerIdentity answered ${answer.Arn}`);
        }
        return since(start) / JS_BLOCK;
      };
      // One client kept for every call: the SDK caches what the metadata service gave it, as servers do.
      const timedSharedBlock = (client: STSClient) => async () => {
        const start = performance.now();
        for (let i = 0; i < JS_BLOCK; i += 1) await client.send(new GetCallerIdentityCommand({}));
        return since(start) / JS_BLOCK;
      };
      const { sdk, shared } = await withEnvironment(sdkEnvironment, async () => {
        await timedSdkBlock(() => fromInstanceMetadata())();
        await timedSdkBlock(() => staticCredentials)();
        const fresh = await interleaved(jsCalls / JS_BLOCK, timedSdkBlock(() => fromInstanceMetadata()), timedSdkBlock(() => staticCredentials));
        const imdsClient = new STSClient({ region: 'us-east-1', endpoint: standIn.url, credentials: fromInstanceMetadata() });
        const staticClient = new STSClient({ region: 'us-east-1', endpoint: standIn.url, credentials: staticCredentials });
        try {
          return { sdk: fresh, shared: await interleaved(jsCalls / JS_BLOCK, timedSharedBlock(imdsClient), timedSharedBlock(staticClient)) };
        } finally {
          imdsClient.destroy();
          staticClient.destroy();
        }
      });
      context.log(`  JS SDK fresh clients: IMDS ${round(median(sdk.a), 3)} ms/call, static ${round(median(sdk.b), 3)} ms/call`);
      context.log(`  JS SDK one client: IMDS ${round(median(shared.a), 3)} ms/call, static ${round(median(shared.b), 3)} ms/call`);

      const pairedRatio = (samples: { a: number[]; b: number[] }) => median(samples.a.map((a, i) => a / samples.b[i]!));
      const rows = [
        ratioRow(
          { section: '2', name: 'aws sts get-caller-identity, IMDS vs env vars (median)', unit: 'ms', ours: median(cli.a), baseline: { name: 'env vars', value: median(cli.b) } },
          TARGET,
          pairedRatio(cli),
        ),
        // The target is for a program making its 1,000 calls as SDK programs do, with one client that keeps what
        // the metadata service gave it. A client per call pays the IMDS protocol's three round trips every time
        // (any metadata service, EC2's too): shown for what it costs, not held to the target.
        ratioRow(
          { section: '2', name: 'JS SDK GetCallerIdentity, one client, IMDS vs static (median)', unit: 'ms/call', ours: median(shared.a), baseline: { name: 'static', value: median(shared.b) } },
          TARGET,
          pairedRatio(shared),
        ),
        ratioRow(
          { section: '2', name: 'JS SDK GetCallerIdentity, a fresh client per call, IMDS vs static (median)', unit: 'ms/call', ours: median(sdk.a), baseline: { name: 'static', value: median(sdk.b) } },
          undefined,
          pairedRatio(sdk),
        ),
      ];
      const summary = (samples: number[]) => ({ medianMs: median(samples), p90Ms: percentile(samples, 90), samplesMs: samples.map((s) => round(s, 3)) });
      return {
        rows,
        details: {
          awsCli: { runsEach: cliRuns, imds: summary(cli.a), env: summary(cli.b) },
          jsSdkFreshClients: { callsEach: jsCalls, blockOfCalls: JS_BLOCK, imds: summary(sdk.a), static: summary(sdk.b) },
          jsSdkOneClient: { callsEach: jsCalls, blockOfCalls: JS_BLOCK, imds: summary(shared.a), static: summary(shared.b) },
        },
      };
    } finally {
      await imds.close();
      await standIn.close();
      await rm(home, { recursive: true, force: true });
    }
  },
};
