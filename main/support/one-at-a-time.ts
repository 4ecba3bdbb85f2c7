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
