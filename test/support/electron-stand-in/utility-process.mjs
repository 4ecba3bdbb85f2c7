/**
 * Electron's utilityProcess, stood in by a forked Node process: the same surface (`fork` → postMessage,
 * 'message', 'exit', kill, stdout/stderr with `stdio: 'pipe'`). Fidelity limit: the child talks through
 * `process.send` instead of `process.parentPort` (plugin-host.mjs speaks both), and `serviceName` is recorded only.
 */
import { fork as forkNode } from 'node:child_process';
import { EventEmitter } from 'node:events';

export const utilityProcesses = [];

class UtilityProcess extends EventEmitter {
  constructor(modulePath, args, options) {
    super();
    this.serviceName = options.serviceName;
    const piped = options.stdio === 'pipe';
    this.child = forkNode(modulePath, args, { env: options.env, cwd: options.cwd, execArgv: [], stdio: [piped ? 'pipe' : 'ignore', piped ? 'pipe' : 'inherit', piped ? 'pipe' : 'inherit', 'ipc'] });
    this.stdout = this.child.stdout;
    this.stderr = this.child.stderr;
    this.child.on('message', (message) => this.emit('message', message));
    this.child.on('exit', (code) => this.emit('exit', code ?? 1));
    this.child.on('spawn', () => this.emit('spawn'));
  }

  postMessage(message) {
    if (this.child.connected) this.child.send(message);
  }

  kill() {
    return this.child.kill();
  }
}

export const utilityProcess = {
  fork(modulePath, args = [], options = {}) {
    const child = new UtilityProcess(modulePath, args, options);
    utilityProcesses.push(child);
    return child;
  },
};
