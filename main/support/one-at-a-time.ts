/**
 * Runs the tasks given to it one after another, in the order given, whatever each one's outcome: for the
 * read-merge-write updates of a small state file, where two at once would each write what the other missed.
 */
export function oneAtATime(): <T>(task: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const done = queue.then(task);
    queue = done.catch(() => undefined);
    return done;
  };
}

/** The same, one queue per key: tasks for different files run side by side, tasks for one file in turn. */
export function oneAtATimePerKey(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const queues = new Map<string, { run: ReturnType<typeof oneAtATime>; pending: number }>();
  return async <T>(key: string, task: () => Promise<T>) => {
    const entry = queues.get(key) ?? { run: oneAtATime(), pending: 0 };
    queues.set(key, entry);
    entry.pending += 1;
    try {
      return await entry.run(task);
    } finally {
      // Forgotten once idle, so a long-running daemon does not keep one entry per file it ever touched.
      entry.pending -= 1;
      if (entry.pending === 0) queues.delete(key);
    }
  };
}
