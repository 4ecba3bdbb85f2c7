import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/**
 * Bench helpers (servers, clients) run as their own processes, so the load they put on the two cores is
 * theirs alone and a profile shows only them. They speak one JSON object per stdout line.
 */
export interface JsonChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The next JSON line the child prints (the first one is its "ready" message). */
  nextMessage<T>(timeoutMs?: number): Promise<T>;
  /** Sends a line to the child's stdin. */
  tell(line: string): void;
  /** Signals the child and waits for it to exit; SIGKILL after a grace period. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

const TSX_ARGS = ['--import', 'tsx'];

export function startJsonChild(script: string, args: readonly string[], options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): JsonChild {
  const spawnOptions: SpawnOptions = { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env };
  const loader = script.endsWith('.ts') ? TSX_ARGS : [];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, script, ...args], spawnOptions);
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buffered = '';
  let errors = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    errors = (errors + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

  return {
    child,
    pid: child.pid!,
    exited,
    stderr: () => errors,
    nextMessage<T>(timeoutMs = 60_000) {
      const ready = lines.shift();
      if (ready !== undefined) return Promise.resolve(JSON.parse(ready) as T);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script} said nothing for ${timeoutMs} ms: ${errors}`)), timeoutMs);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${script} exited (${code}) before answering: ${errors}`));
        });
        waiting.push((line) => {
          clearTimeout(timer);
          resolve(JSON.parse(line) as T);
        });
      });
    },
    tell(line) {
      child.stdin!.write(`${line}\n`);
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Resident set size of a process in KiB, from /proc/<pid>/status (VmRSS). */
export async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}
