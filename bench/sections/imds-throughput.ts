import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../lib/bundle.js';
import { startJsonChild, type JsonChild } from '../lib/child.js';
import type { BenchContext, Section, SectionResult } from '../lib/context.js';
import { topSelfTime, type SelfTime } from '../lib/cpu-profile.js';
import { ratioRow, type ResultRow } from '../lib/report.js';
import { median, round } from '../lib/stats.js';
import { runWrk, runWrkFullFetch, type FullFetchResult, type WrkResult } from '../lib/wrk.js';
import { CREDENTIALS_PATH, TOKEN_PATH, TOKEN_TTL_SECONDS } from '../servers/fixed-credentials.js';

const SERVE = fileURLToPath(new URL('../servers/serve.ts', import.meta.url));
const KINDS = ['bare', 'express', 'ours'] as const;
type Kind = (typeof KINDS)[number];
const CONNECTIONS = [1, 16, 64] as const;

interface Server {
  kind: Kind;
  process: JsonChild;
  baseUrl: string;
  listeningAtUs: number;
}

async function startServer(serve: string, kind: Kind, nodeArgs: string[] = []): Promise<Server> {
  const child = startJsonChild(serve, [kind], { nodeArgs });
  const { port, listeningAtUs } = await child.nextMessage<{ port: number; listeningAtUs: number }>();
  return { kind, process: child, baseUrl: `http://127.0.0.1:${port}`, listeningAtUs };
}

async function fetchText(url: string, init: RequestInit): Promise<string> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status}`);
  return response.text();
}

async function token(baseUrl: string): Promise<string> {
  return fetchText(`${baseUrl}${TOKEN_PATH}`, { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': String(TOKEN_TTL_SECONDS) } });
}

/** The baselines must answer with exactly our bytes, or the comparison means nothing. */
async function checkSameBytes(servers: readonly Server[]): Promise<void> {
  const bodies = await Promise.all(
    servers.map(async (server) =>
      fetchText(`${server.baseUrl}${CREDENTIALS_PATH}`, { headers: { 'X-aws-ec2-metadata-token': await token(server.baseUrl) } }),
    ),
  );
  if (new Set(bodies).size !== 1) throw new Error('the baseline servers do not answer with the same credentials document as ours');
}

async function profileOurs(context: BenchContext, serve: string, seconds: number): Promise<{ file: string; busyMs: number; top: SelfTime[] }> {
  // A directory per run: Node picks the file's name itself.
  const dir = join(context.profilesDir, `imds-ours-${Date.now()}`);
  const server = await startServer(serve, 'ours', ['--cpu-prof', '--cpu-prof-dir', dir]);
  try {
    await runWrk({ baseUrl: server.baseUrl, connections: 16, seconds, token: await token(server.baseUrl), path: CREDENTIALS_PATH });
  } finally {
    await server.process.stop('SIGINT');
  }
  const [name] = await readdir(dir);
  if (!name) throw new Error(`no CPU profile written to ${dir}`);
  return { file: join(dir, name), ...(await topSelfTime(join(dir, name), server.listeningAtUs)) };
}

export const imdsThroughput: Section = {
  id: 'imds-throughput',
  title: '1. Metadata service throughput and latency',
  async run(context): Promise<SectionResult> {
    // Many short slices rather than a few long ones: on these shared machines one slice against another swings by
    // ±25 %, so only the median of many paired slices can tell a few per cent apart.
    const rounds = context.quick ? 2 : 24;
    const seconds = 1;
    // A p99 over 2 s is set by the few slowest fetches, i.e. by whatever else the machine did in those seconds:
    // the median of several rounds is the figure that holds from run to run.
    const fetchRounds = context.quick ? 1 : 7;
    const connectionLevels = context.quick ? [16] : CONNECTIONS;
    const serve = await bundleForNode(SERVE);
    const servers = await Promise.all(KINDS.map((kind) => startServer(serve, kind)));
    const runs: Record<string, WrkResult[]> = {};
    const fetchRuns: Record<string, FullFetchResult[]> = {};
    const run = async (server: Server, connections: number) =>
      runWrk({ baseUrl: server.baseUrl, connections, seconds, token: await token(server.baseUrl), path: CREDENTIALS_PATH });
    try {
      await checkSameBytes(servers);
      // JIT warm-up, not counted.
      for (const server of servers) await run(server, 16);
      for (const connections of connectionLevels) {
        // Short slices, interleaved, in a different order every round: load from others on the shared machine
        // comes and goes within seconds, and this way it falls on every server alike.
        for (let round = 0; round < rounds; round += 1) {
          const order = servers.map((_, i) => servers[(i + round) % servers.length]!);
          for (const server of order) {
            const result = await run(server, connections);
            (runs[`${server.kind}@${connections}`] ??= []).push(result);
            context.log(`  ${server.kind} ${connections} conn: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99Us / 1000} ms, non-2xx ${result.non2xx}`);
          }
        }
      }
      for (let lap = 0; lap < fetchRounds; lap += 1) {
        for (const server of servers.map((_, i) => servers[(i + lap) % servers.length]!)) {
          const result = await runWrkFullFetch(server.baseUrl, 16, 2);
          (fetchRuns[server.kind] ??= []).push(result);
          context.log(`  full fetch ${server.kind}: p99 ${round(result.p99Ms)} ms over ${result.fetches}`);
        }
      }
    } finally {
      await Promise.all(servers.map((server) => server.process.stop('SIGINT')));
    }
    const profile = await profileOurs(context, serve, context.quick ? 1 : 4);

    const results = (kind: Kind, connections: number) => runs[`${kind}@${connections}`]!;
    const rps = (kind: Kind, connections: number) => median(results(kind, connections).map((r) => r.requestsPerSecond));
    const pairedRatio = (kind: Kind, connections: number) =>
      median(results('ours', connections).map((ours, i) => ours.requestsPerSecond / results(kind, connections)[i]!.requestsPerSecond));
    const rows: ResultRow[] = [];
    for (const connections of connectionLevels) {
      const ours = rps('ours', connections);
      rows.push(
        ratioRow(
          { section: '1', name: `requests/s, ${connections} conn, vs express`, unit: 'req/s', ours, baseline: { name: 'express', value: rps('express', connections) } },
          { target: '≥ 0.9', met: (ratio) => ratio >= 0.9 },
          pairedRatio('express', connections),
        ),
        ratioRow(
          { section: '1', name: `requests/s, ${connections} conn, vs node:http`, unit: 'req/s', ours, baseline: { name: 'node:http', value: rps('bare', connections) } },
          undefined,
          pairedRatio('bare', connections),
        ),
      );
    }
    const fetchP99 = (kind: Kind) => median(fetchRuns[kind]!.map((r) => r.p99Ms));
    rows.push(
      {
        ...ratioRow({ section: '1', name: 'full fetch (PUT + 2 GETs) p99, 16 conn', unit: 'ms', ours: fetchP99('ours'), baseline: { name: 'express', value: fetchP99('express') } }),
        target: 'ours < 10 ms',
        met: fetchP99('ours') < 10,
      },
      ratioRow({ section: '1', name: 'full fetch p99, 16 conn, vs node:http', unit: 'ms', ours: fetchP99('ours'), baseline: { name: 'node:http', value: fetchP99('bare') } }),
    );
    const fetches = Object.fromEntries(KINDS.map((kind) => [kind, fetchRuns[kind]!]));
    const errors =
      Object.values(runs).flat().reduce((sum, r) => sum + r.non2xx + r.socketErrors, 0) +
      Object.values(fetchRuns).flat().reduce((sum, f) => sum + f.failures, 0);
    rows.push({ section: '1', name: 'failed requests (all runs)', unit: '', ours: errors, target: '0', met: errors === 0 });

    const perRun = Object.fromEntries(
      Object.entries(runs).map(([key, results]) => [key, results.map((r) => ({ rps: Math.round(r.requestsPerSecond), p50Ms: r.p50Us / 1000, p99Ms: r.p99Us / 1000 }))]),
    );
    const medianP99Ms = Object.fromEntries(KINDS.flatMap((kind) => connectionLevels.map((c) => [`${kind}@${c}`, median(results(kind, c).map((r) => r.p99Us / 1000))])));
    return { rows, details: { rounds, secondsPerRun: seconds, wrkRuns: perRun, medianP99Ms, fullFetch: fetches, profile } };
  },
};
