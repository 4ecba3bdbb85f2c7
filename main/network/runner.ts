/**
 * Runs the plan's commands. `run` is unprivileged and shell-free; `runElevated` runs one script with
 * administrator rights — through the OS prompt (sudo-prompt) or directly when the process already has them
 * (the CLI under sudo, tests, CI).
 *
 * sudo-prompt hands its command string to a shell (`pkexec … bash -c "<cmd>"` on Linux, escaping only `"`),
 * so the script never travels in that string: it is written to a private temporary file and only that
 * file's path — checked to hold no character any shell treats specially — is passed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sudoPrompt from '@vscode/sudo-prompt';
import type { ElevatedScript } from './alias-plan.js';
import { AdminCommandFailedError, adminPromptCancelledError, adminPromptUnavailableError, unsafeScriptPathError } from './errors.js';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Runner {
  /** Runs argv without a shell and without privileges. Never rejects: a missing program is code 127. */
  run(argv: readonly string[]): Promise<CommandResult>;
  /**
   * Runs one script with administrator rights; `reason` is for logs and the prompt's context. Rejects with
   * network.admin-cancelled, network.admin-unavailable or AdminCommandFailedError (non-zero exit).
   */
  runElevated(script: ElevatedScript, reason: string): Promise<CommandResult>;
}

export interface ScriptFileOptions {
  /** Parent of the private directory; defaults to the OS temporary directory. */
  readonly tmpRoot?: string;
  readonly platform?: NodeJS.Platform;
}

const MAX_OUTPUT = 1024 * 1024;

export function createDirectRunner(options: ScriptFileOptions = {}): Runner {
  return {
    run: (argv) => execArgv(argv),
    runElevated: (script) =>
      withScriptFile(script, options, async (path) => {
        const result = await execArgv(scriptArgv(script, path));
        if (result.code !== 0) throw new AdminCommandFailedError(result.code, result.stderr);
        return result;
      }),
  };
}

/** The subset of @vscode/sudo-prompt this runner uses, so tests can substitute the prompt itself. */
export type SudoExec = (
  command: string,
  options: { name: string; icns?: string },
  callback: (error?: Error, stdout?: string | Buffer, stderr?: string | Buffer) => void,
) => void;

export interface SudoPromptRunnerOptions extends ScriptFileOptions {
  /** Shown in the prompt; sudo-prompt accepts letters, digits and spaces only. */
  readonly name: string;
  /** macOS: path to the app's .icns icon shown in the prompt. */
  readonly icns?: string;
  readonly exec?: SudoExec;
}

export function createSudoPromptRunner(options: SudoPromptRunnerOptions): Runner {
  const exec: SudoExec = options.exec ?? sudoPrompt.exec;
  const promptOptions = options.icns ? { name: options.name, icns: options.icns } : { name: options.name };
  return {
    run: (argv) => execArgv(argv),
    runElevated: (script) => {
      // sudo-prompt also writes `cd "<cwd>"` into the elevated shell, escaping only double quotes.
      const cwd = process.cwd();
      const flavour = (options.platform ?? process.platform) === 'win32' ? 'win32' : 'posix';
      if (!isSafeWorkingDirectory(cwd, flavour)) {
        return Promise.reject(unsafeScriptPathError(cwd, 'start Cloudtoken from another directory'));
      }
      return withScriptFile(script, options, (path) => {
        // withScriptFile vetted the path: no quoting is needed on POSIX, and quotes suffice for cmd.
        const command = script.shell === 'cmd' ? `cmd.exe /d /c "${path}"` : `/bin/sh ${path}`;
        return new Promise<CommandResult>((resolve, reject) => {
          exec(command, promptOptions, (error, stdout, stderr) => {
            const out = String(stdout ?? '');
            const err = String(stderr ?? '');
            if (error) reject(mapSudoPromptError(error, err));
            else resolve({ code: 0, stdout: out, stderr: err });
          });
        });
      });
    },
  };
}

/** sudo-prompt reports elevation failures by fixed English messages it writes itself (not the OS's). */
export function mapSudoPromptError(error: Error & { code?: unknown }, stderr: string): Error {
  if (error.message === 'User did not grant permission.') return adminPromptCancelledError({ cause: error });
  if (error.message === 'No polkit authentication agent found.') {
    return adminPromptUnavailableError(
      'no polkit authentication agent is running in this desktop session, so no password dialog can be shown (run `sudo cloudtoken network setup` in a terminal instead).',
      { cause: error },
    );
  }
  if (/^Unable to find pkexec or kdesudo\.$/.test(error.message)) {
    return adminPromptUnavailableError('neither pkexec nor kdesudo is installed.', { cause: error });
  }
  if (typeof error.code === 'number' && error.code !== 0) return new AdminCommandFailedError(error.code, stderr, { cause: error });
  return adminPromptUnavailableError(`${error.message}`, { cause: error });
}

/** Characters no shell (sh, bash's double quotes, cmd inside double quotes) gives a meaning to. */
const SAFE_POSIX_PATH = /^[A-Za-z0-9_./-]+$/;
const SAFE_WINDOWS_PATH = /^[A-Za-z]:\\[A-Za-z0-9_.\\ ()~-]+$/;

/** Inside double quotes: sh still expands `$`, backquotes and `\\`; cmd expands `%` and `!`. */
export function isSafeWorkingDirectory(path: string, flavour: 'posix' | 'win32'): boolean {
  return !(flavour === 'win32' ? /["%!^\r\n]/ : /["$`\\\r\n]/).test(path);
}

export function isSafeScriptPath(path: string, flavour: 'posix' | 'win32'): boolean {
  return (flavour === 'win32' ? SAFE_WINDOWS_PATH : SAFE_POSIX_PATH).test(path);
}

/**
 * Writes the script into a fresh 0700 directory as a 0600 file, hands its path to `use`, and removes the
 * directory afterwards whatever happens.
 */
export async function withScriptFile<T>(script: ElevatedScript, options: ScriptFileOptions, use: (path: string) => Promise<T>): Promise<T> {
  const windows = (options.platform ?? process.platform) === 'win32';
  // The directory is created before the check because mkdtemp chooses its name; it is removed either way.
  const dir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), 'cloudtoken-'));
  try {
    const path = join(dir, script.shell === 'cmd' ? 'network.cmd' : 'network.sh');
    if (!isSafeScriptPath(path, windows ? 'win32' : 'posix')) throw unsafeScriptPathError(path);
    await writeFile(path, script.text, { mode: 0o600, flag: 'wx' });
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function scriptArgv(script: ElevatedScript, path: string): string[] {
  return script.shell === 'cmd' ? ['cmd.exe', '/d', '/c', path] : ['/bin/sh', path];
}

/** Desktop sessions may lack the sbin directories where ip, ifconfig and lsof live on some systems. */
const SYSTEM_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

export function commandEnvironment(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
  if (platform === 'win32') return env;
  const dirs = (env.PATH ?? '').split(':').filter(Boolean);
  return { ...env, PATH: [...dirs, ...SYSTEM_DIRS.filter((dir) => !dirs.includes(dir))].join(':') };
}

function execArgv(argv: readonly string[]): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.resolve({ code: 127, stdout: '', stderr: 'empty command' });
  const options = { encoding: 'utf8' as const, maxBuffer: MAX_OUTPUT, windowsHide: true, env: commandEnvironment() };
  return new Promise((resolve) => {
    execFile(file, args, options, (error, stdout, stderr) => {
      if (!error) return resolve({ code: 0, stdout, stderr });
      const code = typeof error.code === 'number' ? error.code : 127;
      resolve({ code, stdout, stderr: stderr || error.message });
    });
  });
}

/** True when this process may change the network itself (root on Unix). */
export function isPrivileged(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
