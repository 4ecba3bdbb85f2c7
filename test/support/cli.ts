import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `cloudtoken` command, run as users run it. */
export const CLOUDTOKEN_BIN = fileURLToPath(new URL('../../bin/cloudtoken.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `cloudtoken args…` to completion, feeding `input` on stdin (e.g. a password for --password-stdin);
 * `wrapper` is a command that runs it (`unshare …`), given node and its arguments last.
 */
export function runCloudtoken(args: readonly string[], env: Record<string, string>, input = '', wrapper: readonly string[] = []): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const command = [...wrapper, process.execPath, CLOUDTOKEN_BIN, ...args];
    const child = spawn(command[0] as string, command.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** A long-running `cloudtoken` (the daemon) whose output can be awaited line by line. */
export class CloudtokenProcess {
  readonly child: ChildProcessWithoutNullStreams;
  output = '';
  private waiters: Array<{ pattern: RegExp; resolve: (match: RegExpMatchArray) => void }> = [];
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[], env: Record<string, string>, input?: string) {
    this.child = spawn(process.execPath, [CLOUDTOKEN_BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const collect = (chunk: string) => {
      this.output += chunk;
      this.waiters = this.waiters.filter((waiter) => {
        const match = this.output.match(waiter.pattern);
        if (match) waiter.resolve(match);
        return !match;
      });
    };
    this.child.stdout.setEncoding('utf8').on('data', collect);
    this.child.stderr.setEncoding('utf8').on('data', collect);
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
    if (input !== undefined) this.child.stdin.end(input);
  }

  /** Resolves when the combined output matches; rejects after `timeoutMs` with the output so far. */
  waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const match = this.output.match(pattern);
    if (match) return Promise.resolve(match);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Timed out waiting for ${pattern}; output so far:\n${this.output}`)), timeoutMs);
      this.waiters.push({
        pattern,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited;
  }
}
