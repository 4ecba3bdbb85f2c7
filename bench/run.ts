/**
 * `npm run bench [-- --quick] [--only <id,…>] [--out <file>]`: every benchmark, one table, bench/results.json
 * (or --out: the smoke test writes elsewhere, so it never replaces the results of a full run).
 * Each figure sits next to a baseline measured in the same run, because these machines are shared and noisy.
 * Benchmarks are not tests: a missed target is reported, not failed; a benchmark that cannot run fails the run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchContext, SectionResult } from './lib/context.js';
import { machineInfo } from './lib/machine.js';
import { renderTable } from './lib/report.js';
import { SECTIONS } from './sections/index.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' } } });
const only = values.only?.split(',');
const resultsFile = values.out ?? fileURLToPath(new URL('results.json', import.meta.url));
const profilesDir = fileURLToPath(new URL('profiles/', import.meta.url));
await mkdir(profilesDir, { recursive: true });

const shared = new Map<string, Promise<{ close(): Promise<void> }>>();
const context: BenchContext = {
  quick: values.quick,
  profilesDir,
  log: (message) => process.stderr.write(`${message}\n`),
  shared<T extends { close(): Promise<void> }>(key: string, create: () => Promise<T>): Promise<T> {
    if (!shared.has(key)) shared.set(key, create());
    return shared.get(key) as Promise<T>;
  },
};

const started = performance.now();
const machine = machineInfo();
const sections: Record<string, SectionResult | { error: string }> = {};
for (const section of SECTIONS.filter((s) => !only || only.includes(s.id))) {
  context.log(`${section.title}…`);
  const sectionStart = performance.now();
  try {
    sections[section.id] = await section.run(context);
  } catch (error) {
    context.log(`  FAILED: ${(error as Error).stack ?? String(error)}`);
    sections[section.id] = { error: String((error as Error).message ?? error) };
  }
  context.log(`  (${Math.round((performance.now() - sectionStart) / 1000)} s)`);
}
for (const resource of shared.values()) await resource.then((r) => r.close(), () => undefined);
const rows = Object.values(sections).flatMap((result) => ('rows' in result ? result.rows : []));
const elapsedSeconds = Math.round((performance.now() - started) / 1000);

await writeFile(resultsFile, `${JSON.stringify({ machine, quick: context.quick, elapsedSeconds, rows, sections }, null, 2)}\n`);
process.stdout.write(`\n${renderTable(rows)}\n\n`);
process.stdout.write(
  `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.date}` +
    `${context.quick ? ' (--quick)' : ''}; ${elapsedSeconds} s. Results: ${resultsFile}\n`,
);
const failed = Object.entries(sections).filter(([, result]) => 'error' in result);
if (failed.length > 0) {
  process.stderr.write(`Could not run: ${failed.map(([id]) => id).join(', ')}\n`);
  process.exitCode = 1;
}
