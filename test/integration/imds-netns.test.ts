import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IMDS_CLIENTS } from '../support/aws-clients.js';
import { execInNetns, netnsSupport } from '../support/netns.js';
import { FOREIGN_ADDRESS, NETNS_ACCESS_KEY, NETNS_REGION } from './imds-netns-scenario.js';

/**
 * The real default path, with no endpoint variables: each case makes its own network namespace (unshare),
 * brings lo up, adds 169.254.169.254/32, and runs our server on 169.254.169.254:80 and the real clients
 * inside it. Nothing reaches the host's 169.254.169.254.
 */
const support = netnsSupport();
const scenario = fileURLToPath(new URL('./imds-netns-scenario.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

async function inNamespace(mode: string, linkLocalAlias = true, setup?: string): Promise<Record<string, unknown>> {
  const result = await execInNetns(process.execPath, ['--import', 'tsx', scenario, mode], { linkLocalAlias, setup, cwd: repoRoot, timeoutMs: 150_000 });
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.code !== 0 || !last.startsWith('{')) throw new Error(`scenario ${mode} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(last) as Record<string, unknown>;
}

describe.skipIf(!support.available)(`IMDS on 169.254.169.254:80 in a network namespace (${support.reason || 'root'})`, () => {
  it('every client finds the credentials with no configuration, tokens required or optional; the CLI finds the region', async () => {
    const [required, optional] = await Promise.all([inNamespace('required'), inNamespace('optional')]);
    for (const result of [required, optional]) {
      expect(result.url).toBe('http://169.254.169.254/');
      expect(result.keys).toEqual(Object.fromEntries(IMDS_CLIENTS.map((client) => [client, NETNS_ACCESS_KEY])));
      expect(result.cli).toEqual({ accessKeyId: NETNS_ACCESS_KEY, region: NETNS_REGION });
    }
  }, 180_000);

  it('names the missing alias and how to add it', async () => {
    const result = await inNamespace('alias-missing', false);
    expect(result.code).toBe('IMDS_ALIAS_MISSING');
    expect(result.message).toContain('ip addr add 169.254.169.254/32 dev lo');
    expect(result.message).toContain('ifconfig lo0 alias 169.254.169.254');
  });

  it('refuses a client that is neither loopback nor the alias (rule 25)', async () => {
    const result = await inNamespace('foreign-client', true, `ip addr add ${FOREIGN_ADDRESS}/32 dev lo`);
    expect(result).toEqual({ foreign: 403, alias: 200 });
  });
});
