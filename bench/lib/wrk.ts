import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../wrk/token-then-credentials.lua', import.meta.url));
const FULL_FETCH_SCRIPT = fileURLToPath(new URL('../wrk/full-fetch.lua', import.meta.url));

export interface WrkResult {
  requests: number;
  durationUs: number;
  /** Answers other than 2xx/3xx (a refused token shows up here). */
  non2xx: number;
  /** Every answer other than 200, by status code. */
  statuses: Record<string, number>;
  socketErrors: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
  requestsPerSecond: number;
}

export interface WrkRun {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  connections: number;
  seconds: number;
  /** A valid token to start with, and the credentials path to GET. */
  token: string;
  path: string;
  putOnly?: boolean;
}

/** One wrk run on one thread (the server gets the other core), keep-alive, the PUT-then-GET script. */
export async function runWrk(options: WrkRun): Promise<WrkResult> {
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--timeout',
    '5s',
    '-s',
    SCRIPT,
    options.baseUrl,
    '--',
    options.token,
    options.path,
    ...(options.putOnly ? ['put-only'] : []),
  ];
  const { stdout } = await run('wrk', args, { timeout: (options.seconds + 30) * 1000 });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const parsed = JSON.parse(line) as Omit<WrkResult, 'requestsPerSecond'>;
  return { ...parsed, requestsPerSecond: parsed.requests / (parsed.durationUs / 1e6) };
}

export interface WrkTotals {
  requests: number;
  non2xx: number;
  socketErrors: number;
  seconds: number;
  statuses: Record<string, number>;
}

/**
 * Runs wrk in slices until at least `count` requests went through; sums what matters for a footprint. Each
 * slice starts with a token fresh from `token()`: the one a previous slice started with may have been evicted.
 */
export async function runWrkFor(count: number, options: Omit<WrkRun, 'seconds' | 'token'> & { token: () => Promise<string> }): Promise<WrkTotals> {
  const statuses: Record<string, number> = {};
  let requests = 0;
  let non2xx = 0;
  let socketErrors = 0;
  let seconds = 0;
  // Unknown at first: a 1-second slice measures it.
  let rate = Number.POSITIVE_INFINITY;
  while (requests < count) {
    // Slices of at most 20 s, sized from the rate seen so far so the total overshoots little.
    const slice = Math.max(1, Math.min(20, Math.ceil((count - requests) / rate)));
    const result = await runWrk({ ...options, token: await options.token(), seconds: slice });
    if (result.requests === 0) throw new Error('wrk completed no request');
    requests += result.requests;
    non2xx += result.non2xx;
    socketErrors += result.socketErrors;
    for (const [status, times] of Object.entries(result.statuses)) statuses[status] = (statuses[status] ?? 0) + times;
    seconds += result.durationUs / 1e6;
    rate = result.requestsPerSecond;
  }
  return { requests, non2xx, socketErrors, seconds, statuses };
}

export interface FullFetchResult {
  /** Whole fetches: token PUT, role list GET, credentials GET. */
  fetches: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Whole credential fetches by `connections` clients, timed end to end: one wrk thread per connection, since
 * a thread's script state is what carries one fetch's token and role name from request to request.
 */
export async function runWrkFullFetch(baseUrl: string, connections: number, seconds: number): Promise<FullFetchResult> {
  const args = [`-t${connections}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', FULL_FETCH_SCRIPT, baseUrl];
  const { stdout } = await run('wrk', args, { timeout: (seconds + 30) * 1000 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as FullFetchResult;
}
