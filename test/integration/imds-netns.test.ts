import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IMDS_CLIENTS } from '../support/aws-clients.js';
import { execInNetns, netnsSupport, runInNetns } from '../support/netns.js';
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
  const result = await execInNetns(process.execPath, ['--import', 'tsx', scenario, mode], { linkLocalAlias, setup, cwd: repoRoot, timeoutMs: 280_000 });
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
  }, 300_000);

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

describe.skipIf(!support.available)(`the netns helper (${support.reason || 'root'})`, () => {
  it('gives a namespace with lo up, the alias on it, and its own PID 1', async () => {
    const result = await runInNetns('echo "pid $$"; ip -o -4 addr show dev lo; ip -o link show | wc -l');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('pid 1');
    expect(result.stdout).toContain('inet 127.0.0.1/8');
    expect(result.stdout).toContain('inet 169.254.169.254/32');
    expect(result.stdout.trim().split('\n').at(-1)).toBe('1');
    const bare = await runInNetns('ip -o -4 addr show dev lo', { linkLocalAlias: false });
    expect(bare.stdout).not.toContain('169.254.169.254');
  });

  it('kills everything inside when the time is up', async () => {
    const marker = `${Date.now() % 1000}.25`;
    const result = await runInNetns(`sleep ${marker} & echo started; sleep ${marker}`, { timeoutMs: 1_000 });
    expect(result.signal).toBe('SIGKILL');
    expect(result.stdout).toContain('started');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(`sleep ${marker}`));
    expect(left).toEqual([]);
  });
});
