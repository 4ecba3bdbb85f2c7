import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const MIB = 1024 * 1024;
const BURST = fileURLToPath(new URL('./young-generation-burst.ts', import.meta.url));

async function burst(mode: 'small' | 'default'): Promise<{ before: number; after: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', BURST, mode], { timeout: 60_000 });
  return JSON.parse(stdout) as { before: number; after: number };
}

describe('keepYoungGenerationSmall', () => {
  it('keeps the young generation at its start-up size through a burst that grows it by default', { timeout: 90_000 }, async () => {
    const [small, grown] = await Promise.all([burst('small'), burst('default')]);
    // The comparison shows the burst is one that makes V8 grow the young generation.
    expect(grown.after).toBeGreaterThan(grown.before + 8 * MIB);
    expect(small.after).toBe(small.before);
  });
});
