/**
 * `concurrency` clients, each fetching credentials the way SDKs do, over and over on keep-alive connections:
 * PUT a token, GET the role list, GET that role's credentials. Runs for `durationMs` or until a line arrives
 * on stdin, then prints one JSON line: how many full fetches, their latency, and what was wrong with any.
 *
 * With `check`, every document is checked against the rotation scheme of rotating-credentials.ts: an
 * AccessKeyId names its set, so a SecretAccessKey or Token from another set is caught, and so is an
 * Expiration already past.
 */
import { Agent, request } from 'node:http';
import { credentialSet, setIndexOf } from '../sections/rotating-credentials.js';
import { percentile } from '../lib/stats.js';

interface Options {
  baseUrl: string;
  concurrency: number;
  durationMs: number;
  check: boolean;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
const url = new URL(options.baseUrl);

function call(method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const latenciesMs: number[] = [];
const counts = { sequences: 0, errors: 0, expired: 0, mixed: 0 };
const problems: string[] = [];
const note = (problem: string) => {
  if (problems.length < 5) problems.push(problem);
};

function checkDocument(body: string): void {
  const document = JSON.parse(body) as { AccessKeyId: string; SecretAccessKey: string; Token: string; Expiration: string };
  const index = setIndexOf(document.AccessKeyId);
  const expected = index === undefined ? undefined : credentialSet(index);
  if (!expected || expected.secretAccessKey !== document.SecretAccessKey || expected.sessionToken !== document.Token) {
    counts.mixed += 1;
    note(`mixed: ${document.AccessKeyId}`);
  }
  if (Date.parse(document.Expiration) <= Date.now()) {
    counts.expired += 1;
    note(`expired: ${document.Expiration}`);
  }
}

async function fetchOnce(): Promise<void> {
  const start = performance.now();
  const token = await call('PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': '21600' });
  if (token.status !== 200) throw new Error(`token: ${token.status}`);
  const auth = { 'X-aws-ec2-metadata-token': token.body };
  const list = await call('GET', '/latest/meta-data/iam/security-credentials/', auth);
  if (list.status !== 200) throw new Error(`role list: ${list.status}`);
  const credentials = await call('GET', `/latest/meta-data/iam/security-credentials/${list.body}`, auth);
  if (credentials.status !== 200) throw new Error(`credentials: ${credentials.status}`);
  latenciesMs.push(performance.now() - start);
  counts.sequences += 1;
  if (options.check) checkDocument(credentials.body);
}

let stopping = false;
const deadline = setTimeout(() => (stopping = true), options.durationMs);
process.stdin.once('data', () => (stopping = true));

async function client(): Promise<void> {
  while (!stopping) {
    try {
      await fetchOnce();
    } catch (error) {
      counts.errors += 1;
      note(String((error as Error).message));
    }
  }
}

process.stdout.write('{"ready":true}\n');
await Promise.all(Array.from({ length: options.concurrency }, client));
clearTimeout(deadline);
agent.destroy();
const latency = { p50Ms: percentile(latenciesMs, 50), p99Ms: percentile(latenciesMs, 99) };
process.stdout.write(`${JSON.stringify({ ...counts, ...latency, problems })}\n`);
process.exit(0);
