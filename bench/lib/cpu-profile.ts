import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  function: string;
  /** Share of the busy (non-idle) samples, in %. */
  percent: number;
  ms: number;
}

const IDLE = new Set(['(idle)', '(program)']);

/** Where `url` lives, short: a package name or a path inside this repository. */
function shortLocation(url: string, line: number): string {
  const path = url.replace(/^file:\/\//, '');
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  const where = inPackage ? `${inPackage[1]}/${inPackage[2]}` : path.startsWith(REPOSITORY) ? path.slice(REPOSITORY.length) : path;
  return where === '' ? '' : `${where}:${line + 1}`;
}

/**
 * The functions with the most self time in a `--cpu-prof` profile (V8's sampled call tree), counting only
 * samples taken from `fromUs` on (V8's monotonic clock), so start-up and module loading are left out.
 */
export async function topSelfTime(file: string, fromUs = 0, limit = 12): Promise<{ busyMs: number; top: SelfTime[] }> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const totals = new Map<string, number>();
  let busyUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((nodeId, index) => {
    const frame = frames.get(nodeId);
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at < fromUs || !frame || IDLE.has(frame.functionName)) return;
    const location = shortLocation(frame.url, frame.lineNumber);
    const key = `${frame.functionName || '(anonymous)'}${location ? ` ${location}` : ''}`;
    totals.set(key, (totals.get(key) ?? 0) + delta);
    busyUs += delta;
  });
  const top = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ function: name, percent: Math.round((us / busyUs) * 1000) / 10, ms: Math.round(us / 100) / 10 }));
  return { busyMs: Math.round(busyUs / 1000), top };
}
