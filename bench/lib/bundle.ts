import { build } from 'esbuild';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT_DIR = fileURLToPath(new URL('../../dist/bench/', import.meta.url));

/**
 * Bundles a bench helper the way scripts/build.mjs bundles the daemon, so it runs on plain Node as shipped
 * code does. Under tsx's loader the same server spends about 8 µs more per request.
 */
export async function bundleForNode(entry: string): Promise<string> {
  const outfile = join(OUT_DIR, basename(entry).replace(/\.ts$/, '.mjs'));
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  return outfile;
}
