import { utilityProcess } from 'electron';
import { splitLines, type LaunchPluginProcess } from '../plugins/plugin-process.js';

/**
 * The tray app's module plugins run in Electron utility processes: Node processes Electron starts and stops
 * with the app, holding nothing of the main process (no Electron APIs, no sessions, no cookies).
 */
export const utilityPluginProcess: LaunchPluginProcess = ({ script, env, cwd, name }) => {
  const child = utilityProcess.fork(script, [], { env, cwd, stdio: 'pipe', serviceName: `Cloudtoken plugin ${name}` });
  let exited: string | undefined;
  const exitListeners: Array<(detail: string) => void> = [];
  child.on('exit', (code) => {
    exited ??= `exited with status ${code}`;
    for (const listener of exitListeners) listener(exited);
  });
  return {
    send: (message) => void (exited === undefined && child.postMessage(message)),
    onMessage: (listener) => void child.on('message', listener),
    onExit(listener) {
      if (exited !== undefined) listener(exited);
      else exitListeners.push(listener);
    },
    onOutput(listener) {
      for (const stream of [child.stdout, child.stderr]) stream?.setEncoding('utf8').on('data', splitLines(listener));
    },
    kill: () => void child.kill(),
  };
};
