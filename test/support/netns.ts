import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/**
 * Commands and servers in a fresh network namespace, the only place tests may use 169.254.169.254.
 *
 * `unshare --net --pid --fork --mount-proc --kill-child` gives a namespace with nothing but `lo` whose first
 * process is PID 1 of its own PID namespace: when it ends, or when the `unshare` process is killed (a test
 * timeout), the kernel kills everything inside. No cleanup step can be forgotten and nothing leaks onto the
 * host's network. Needs root (CI runs as root); use `netnsSupport()` for `skipIf`.
 */
export const LINK_LOCAL_ALIAS = '169.254.169.254';

export interface NetnsOptions {
  /** Add 169.254.169.254/32 to `lo` inside (default true). */
  linkLocalAlias?: boolean;
  /** Extra shell run as root inside after `lo` is up, e.g. nft rules. */
  setup?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the whole namespace after this long (default 60 s). */
  timeoutMs?: number;
}

export interface NetnsResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let support: { available: boolean; reason: string } | undefined;

/** Whether namespaces can be made here, and why not. Checked once, by making one. */
export function netnsSupport(): { available: boolean; reason: string } {
  if (!support) {
    if (process.getuid?.() !== 0) {
      support = { available: false, reason: 'network namespaces need root (CI runs as root)' };
    } else {
      const probe = spawnSync('unshare', ['--net', '--pid', '--fork', '--mount-proc', '--kill-child', 'ip', 'link', 'set', 'lo', 'up'], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      support =
        probe.status === 0
          ? { available: true, reason: '' }
          : { available: false, reason: `unshare failed: ${probe.error?.message ?? probe.stderr.trim()}` };
    }
  }
  return support;
}

/** Starts `command args…` inside a fresh namespace; the caller owns the process (kill it to end the namespace). */
export function spawnInNetns(command: string, args: readonly string[], options: NetnsOptions = {}): ChildProcess {
  const prelude = ['set -e', 'ip link set lo up'];
  if (options.linkLocalAlias ?? true) prelude.push(`ip addr add ${LINK_LOCAL_ALIAS}/32 dev lo`);
  if (options.setup) prelude.push(options.setup);
  prelude.push('exec "$@"');
  return spawn(
    'unshare',
    ['--net', '--pid', '--fork', '--mount-proc', '--kill-child', '--', '/bin/sh', '-c', prelude.join('\n'), 'netns', command, ...args],
    { env: { ...(options.env ?? process.env), PATH: withSbin(options.env?.PATH ?? process.env.PATH) }, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Runs a shell script inside a fresh namespace and collects its output; the namespace dies with the script. */
export function runInNetns(script: string, options: NetnsOptions = {}): Promise<NetnsResult> {
  return collect(spawnInNetns('/bin/sh', ['-c', script], options), options.timeoutMs ?? 60_000);
}

/** Runs a command (no shell) inside a fresh namespace and collects its output. */
export function execInNetns(command: string, args: readonly string[], options: NetnsOptions = {}): Promise<NetnsResult> {
  return collect(spawnInNetns(command, args, options), options.timeoutMs ?? 60_000);
}

function collect(child: ChildProcess, timeoutMs: number): Promise<NetnsResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // SIGKILL to unshare: --kill-child takes the namespace's PID 1, and with it every process inside.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// `ip` lives in /usr/sbin, which a clean PATH may lack.
function withSbin(path: string | undefined): string {
  const parts = (path ?? '/usr/bin:/bin').split(':');
  for (const dir of ['/usr/sbin', '/sbin']) if (!parts.includes(dir)) parts.push(dir);
  return parts.join(':');
}

/**
 * Runs a scenario script (`node --import tsx <file>`) in a fresh namespace without the alias (the scenario sets
 * it up as the product does) and gives the JSON object its last line of output reports.
 */
export function runNetnsScenario<T>(file: string, timeoutMs: number): Promise<{ observations: T; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnInNetns(process.execPath, ['--import', 'tsx', file], { linkLocalAlias: false, cwd: process.cwd() });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      try {
        resolve({ observations: JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T, stderr });
      } catch {
        reject(new Error(`The scenario printed no observations.\nstdout: ${stdout}\nstderr: ${stderr}`));
      }
    });
  });
}

/** Inside a namespace: whether 169.254.169.254 is on lo and Cloudtoken's nftables table exists. */
export function aliasState(): { address: boolean; nftTable: boolean } {
  const addresses = execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' });
  let nftTable = true;
  try {
    execFileSync('nft', ['list', 'table', 'ip', 'cloudtoken'], { stdio: 'ignore' });
  } catch {
    nftTable = false;
  }
  return { address: addresses.includes(`${LINK_LOCAL_ALIAS}/32`), nftTable };
}
