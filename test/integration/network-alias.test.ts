/**
 * The Linux plan for real, as root, each scenario in a network namespace of its own
 * (`unshare --net --pid --fork --kill-child --mount-proc`): only there does 169.254.169.254 exist, so no
 * traffic can reach a real metadata service. The namespace's processes die with it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { execInNetns, netnsSupport } from '../support/netns.js';

const DRIVER = fileURLToPath(new URL('./network-alias-driver.ts', import.meta.url));
const netns = netnsSupport();
const hasIptables = existsSync('/usr/sbin/iptables');
const hasNft = existsSync('/usr/sbin/nft');

/** Runs one driver command in a fresh namespace (without the alias: the plan adds it); returns the JSON it prints last. */
async function inNamespace(...args: string[]): Promise<Record<string, unknown>> {
  const result = await execInNetns(process.execPath, ['--import', 'tsx', DRIVER, ...args], { linkLocalAlias: false, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`driver ${args.join(' ')} exited ${result.code ?? result.signal}: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
}

const present = { state: 'present', address: true, exactAddress: true, redirect: 'present', conflicts: [] };
const absent = { state: 'absent', address: false, exactAddress: false, redirect: 'absent', conflicts: [] };

describe.skipIf(!netns.available)(`the link-local alias on Linux, in a network namespace ${netns.reason}`, () => {
  describe.each([
    { label: 'nftables', args: ['nftables'], tool: 'nftables', available: hasNft },
    { label: 'iptables (forced)', args: ['iptables'], tool: 'iptables', available: hasIptables },
    { label: 'auto, where nft is not installed', args: ['auto', 'hide-nft'], tool: 'iptables', available: hasIptables },
  ])('with $label', ({ args, tool, available }) => {
    it.skipIf(!available)('applies once, serves the AWS CLI on http://169.254.169.254/, re-applies without a prompt, reverts', async () => {
      const run = await inNamespace('scenario', ...args);
      const port = run.port as number;
      const redirect = tool;
      expect(run.tool).toBe(tool);
      expect(run.nftVisible).toBe(args[1] !== 'hide-nft');

      expect(run.initial).toEqual(absent);
      expect(run.firstEnsure).toEqual({ changed: true, status: present });
      expect(run.elevatedAfterFirst).toBe(1);
      expect(run.rules).toContain(
        redirect === 'nftables'
          ? `ip daddr 169.254.169.254 tcp dport 80 dnat to 169.254.169.254:${port}`
          : `-A CLOUDTOKEN -d 169.254.169.254/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 169.254.169.254:${port}`,
      );

      // The metadata service ran as nobody on the high port; the CLI asked port 80 with no endpoint variables.
      const server = run.server as { uid: number; accessKeyId: string; secretAccessKey: string };
      expect(server.uid).toBe(65534);
      expect(run.statusWithServer).toEqual(present);
      const aws = run.aws as { code: number; stdout: string; stderr: string };
      expect(aws.stderr).toBe('');
      expect(aws.code).toBe(0);
      const exported = JSON.parse(aws.stdout) as Record<string, string>;
      expect(exported.AccessKeyId).toBe(server.accessKeyId);
      expect(exported.SecretAccessKey).toBe(server.secretAccessKey);

      expect(run.secondEnsure).toEqual({ changed: false, status: present });
      expect(run.elevatedAfterSecond).toBe(1);
      expect(run.scriptRerunChanged).toBe(false);
      expect(run.snapshot).toContain('lo    inet 169.254.169.254/32');
      expect(run.snapshot).toMatch(redirect === 'nftables' ? /iifname != "lo" ip daddr 169\.254\.169\.254 drop/ : /-A INPUT -j CLOUDTOKEN\n[^]*-A CLOUDTOKEN -d 169\.254\.169\.254\/32 ! -i lo -j DROP/);

      expect(run.revert).toEqual({ changed: true, status: absent });
      expect(run.port80AfterRevert).toMatch(/^E(NETUNREACH|CONNREFUSED|HOSTUNREACH)$/);
      expect(run.rulesAfterRevert).not.toBe(0);
      expect(run.addressesAfterRevert).not.toContain('169.254.169.254');
      expect(run.secondRevert).toEqual({ changed: false, status: absent });
      expect(run.elevatedAfterRevert).toBe(2);
    });
  });

  it('uses a wider alias another tool left on lo, and leaves it there on revert', async () => {
    const run = await inNamespace('leftover-alias');
    expect(run.before).toEqual({ state: 'absent', address: true, exactAddress: false, redirect: 'absent', conflicts: [] });
    expect(run.ensure).toEqual({ changed: true, status: present });
    expect(run.revert).toEqual({ changed: true, status: { ...absent, address: true } });
    expect(run.elevatedRuns).toBe(2);
    expect(run.addressesAfterRevert).toContain('inet 169.254.169.254/24 scope global lo:0');
    expect(run.addressesAfterRevert).not.toContain('169.254.169.254/32');
  });

  it('refuses, without prompting, when another interface holds the address', async () => {
    const run = await inNamespace('conflict-address');
    expect(run.status).toMatchObject({ state: 'absent', conflicts: ['169.254.169.254/16 is assigned to interface vpn0'] });
    expect(run.ensureError).toMatchObject({ code: 'network.alias-conflict' });
    expect(run.elevatedRuns).toBe(0);
  });

  it('refuses, without prompting, when another process serves 169.254.169.254:80, and names it', async () => {
    const run = await inNamespace('conflict-listener');
    const pid = run.otherPid as number;
    expect(run.status).toEqual({
      state: 'partial',
      address: true,
      exactAddress: true,
      redirect: 'absent',
      conflicts: [`169.254.169.254:80 is served by node (pid ${pid})`],
    });
    expect(run.ensureError).toMatchObject({ code: 'network.alias-conflict' });
    expect((run.ensureError as { message: string }).message).toContain(`node (pid ${pid})`);
    expect(run.elevatedRuns).toBe(0);
  });
});
