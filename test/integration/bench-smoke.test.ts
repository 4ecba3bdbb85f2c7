import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECTIONS } from '../../bench/sections/index.js';
import type { ResultRow } from '../../bench/lib/report.js';

/**
 * The benchmarks still run: `npm run bench -- --quick` minus its build step (npm test has built dist/ already,
 * and rebuilding here would pull dist/ from under tests running beside this one). Timing targets are the
 * benchmark's business, not this test's: it checks that every benchmark ran and reported finite figures.
 * Everything runs on 127.0.0.1 (SimpleSAMLphp, the STS stand-in, the daemon, wrk).
 */
const tools = ['/usr/bin/wrk', '/usr/bin/aws', '/usr/share/simplesamlphp/www'];
const missing = tools.filter((tool) => !existsSync(tool));

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'cloudtoken-bench-smoke-'));
});
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

function runQuickBench(resultsFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', resultsFile], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(missing.length > 0)(`npm run bench -- --quick${missing.length > 0 ? ` (needs ${missing.join(', ')})` : ''}`, () => {
  it('completes, prints the table and writes results.json with every section', { timeout: 300_000 }, async () => {
    const resultsFile = join(out, 'results.json');
    const result = await runQuickBench(resultsFile);
    expect(result.stderr).not.toMatch(/FAILED/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\| Benchmark +\| Ours +\| Baseline +\| Ratio +\| Target +\| Met +\|$/m);

    const results = JSON.parse(await readFile(resultsFile, 'utf8')) as {
      machine: { cpuModel: string; cores: number; node: string; date: string };
      quick: boolean;
      rows: ResultRow[];
      sections: Record<string, { rows?: ResultRow[]; error?: string }>;
    };
    expect(results.quick).toBe(true);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(Number.isNaN(Date.parse(results.machine.date))).toBe(false);
    expect(Object.keys(results.sections)).toEqual(SECTIONS.map((section) => section.id));
    for (const section of SECTIONS) {
      const reported = results.sections[section.id];
      expect(reported?.error, section.id).toBeUndefined();
      expect(reported?.rows?.length, section.id).toBeGreaterThan(0);
      for (const row of reported?.rows ?? []) {
        expect(Number.isFinite(row.ours), `${section.id}: ${row.name}`).toBe(true);
        if (row.baseline) expect(Number.isFinite(row.ratio), `${section.id}: ${row.name}`).toBe(true);
      }
    }
  });
});
