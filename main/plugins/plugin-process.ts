import { fork } from 'node:child_process';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How a module plugin's process is started: the CLI forks a Node process, the tray app an Electron
 * utilityProcess (main/shell/plugin-processes.ts). Either way the child runs plugin-host.mjs with the
 * environment given and nothing else, and speaks the messages of host-protocol.ts.
 */
export interface PluginProcess {
  send(message: object): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Once, however it ended (exited, killed, failed to start). */
  onExit(listener: (detail: string) => void): void;
  /** Each line it writes on its standard output or error. */
  onOutput(listener: (line: string) => void): void;
  kill(): void;
}

export type LaunchPluginProcess = (options: { script: string; env: Record<string, string>; cwd: string; name: string }) => PluginProcess;

/**
 * Where plugin-host.mjs is: beside this file in the sources, and in dist/main/plugins/ once built (the build
 * copies it there; the bundle this code then runs from is somewhere in dist/main/).
 */
export function pluginHostScript(moduleUrl: string = import.meta.url): string {
  const here = fileURLToPath(moduleUrl);
  const marker = `${sep}dist${sep}main${sep}`;
  const at = here.lastIndexOf(marker);
  if (at >= 0) return join(here.slice(0, at + marker.length), 'plugins', 'plugin-host.mjs');
  return resolve(dirname(here), 'plugin-host.mjs');
}

/** A stream's text chunks as whole lines. */
export function splitLines(listener: (line: string) => void): (chunk: string) => void {
  let partial = '';
  return (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) listener(line);
  };
}

/** The CLI's (and the tests') launcher: a plain Node child with an IPC channel, no flags of this process's own. */
export const forkPluginProcess: LaunchPluginProcess = ({ script, env, cwd }) => {
  const child = fork(script, [], { env, cwd, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
  let exited: string | undefined;
  const exitListeners: Array<(detail: string) => void> = [];
  const ended = (detail: string) => {
    if (exited !== undefined) return;
    exited = detail;
    for (const listener of exitListeners) listener(detail);
  };
  child.on('exit', (code, signal) => ended(signal ? `killed by ${signal}` : `exited with status ${code}`));
  child.on('error', (error) => ended(`could not run (${error.message})`));
  return {
    send(message) {
      if (exited === undefined && child.connected) child.send(message, (error) => error && ended(`stopped listening (${error.message})`));
    },
    onMessage: (listener) => void child.on('message', listener),
    onExit(listener) {
      if (exited !== undefined) listener(exited);
      else exitListeners.push(listener);
    },
    onOutput(listener) {
      child.stdout?.setEncoding('utf8').on('data', splitLines(listener));
      child.stderr?.setEncoding('utf8').on('data', splitLines(listener));
    },
    kill: () => void child.kill('SIGKILL'),
  };
};
