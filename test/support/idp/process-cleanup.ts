/**
 * Process groups started by test helpers, killed when the test process exits however it exits (a failing
 * test, vitest tearing the worker down), so no peer outlives its test run.
 */
const groups = new Set<number>();
let installed = false;

function killAll(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

/** Registers a process group for kill-on-exit; returns a function that unregisters it after a clean stop. */
export function killGroupOnExit(pgid: number): () => void {
  install();
  groups.add(pgid);
  return () => groups.delete(pgid);
}
