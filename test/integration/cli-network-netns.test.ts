import { describe, expect, it } from 'vitest';
import { CLOUDTOKEN_BIN } from '../support/cli.js';
import { netnsSupport, runInNetns } from '../support/netns.js';

/**
 * `cloudtoken network setup|status|revert`, the admin's one-time step, for real in a network namespace this
 * test creates (unshare): 169.254.169.254 and the nftables redirect appear, report present, and go again.
 */
const support = netnsSupport();

describe.skipIf(!support.available)(`cloudtoken network in a network namespace ${support.reason}`, () => {
  it('sets up, reports and reverts 169.254.169.254 with its port-80 redirect, idempotently', async () => {
    const cli = `${process.execPath} ${CLOUDTOKEN_BIN}`;
    const script = [
      'export CLOUDTOKEN_HOME=$(mktemp -d)',
      `${cli} network status --port 9911 --json; echo "exit=$?"`,
      `${cli} network setup --port 9911 --json; echo "exit=$?"`,
      `${cli} network setup --port 9911 --json; echo "exit=$?"`,
      'ip -4 -o addr show dev lo | grep -c "169.254.169.254/32"',
      `${cli} network revert --port 9911 --json; echo "exit=$?"`,
      'nft list table ip cloudtoken >/dev/null 2>&1 && echo table-left || echo table-gone',
    ].join('\n');
    const result = await runInNetns(script, { linkLocalAlias: false, timeoutMs: 90_000 });
    const documents = [...result.stdout.matchAll(/^\{[\s\S]*?^\}$/gm)].map((m) => JSON.parse(m[0]) as { action: string; changed: boolean; status: { state: string } });
    expect(documents.map((d) => [d.action, d.changed, d.status.state]), result.stderr).toEqual([
      ['status', false, 'absent'],
      ['setup', true, 'present'],
      ['setup', false, 'present'],
      ['revert', true, 'absent'],
    ]);
    expect(result.stdout.match(/exit=\d+/g)).toEqual(['exit=0', 'exit=0', 'exit=0', 'exit=0']);
    expect(result.stdout).toMatch(/^1$/m);
    expect(result.stdout).toMatch(/table-gone/);
  }, 120_000);
});
