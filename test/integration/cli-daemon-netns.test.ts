import { describe, expect, it } from 'vitest';
import { netnsSupport, runNetnsScenario } from '../support/netns.js';

/**
 * End to end at the real address: `cloudtoken daemon` in a network namespace this test creates (unshare),
 * setting up 169.254.169.254 and the port-80 redirect itself, with SimpleSAMLphp and the STS stand-in beside it
 * in the namespace and the AWS CLI, boto3 and the JS SDK finding credentials with no AWS variables at all.
 * The scenario runs inside the namespace (daemon-scenario.ts) and reports what it saw.
 */
const support = netnsSupport();

interface Observations {
  expected: { developer: string; admin: string };
  announced: string;
  aliasBefore: { address: boolean; nftTable: boolean };
  aliasWhileRunning: { address: boolean; nftTable: boolean };
  aliasAfter: { address: boolean; nftTable: boolean };
  initial: Record<string, string>;
  switchExit: number;
  afterSwitch: string;
  silentRefreshIssued: number;
  afterRefresh: string;
  afterIdpDeath: string;
  roleListBeforeExpiry: number | string;
  roleListAfterExpiry: number | string;
  afterExpiry: string;
  daemonExit: number;
  daemonOutput: string;
  error?: string;
}

describe.skipIf(!support.available)(`cloudtoken daemon at 169.254.169.254 in a network namespace ${support.reason}`, () => {
  it('serves every client with no configuration, follows role switches, refreshes silently, never serves expired credentials, and cleans up', async () => {
    const { observations: o, stderr } = await runNetnsScenario<Observations>('test/integration/netns/daemon-scenario.ts', 150_000);
    expect(o.error, `${o.error}\n${o.daemonOutput}\n${stderr}`).toBeUndefined();
    expect(o.aliasBefore).toEqual({ address: false, nftTable: false });
    expect(o.announced).toBe('http://169.254.169.254/');
    expect(o.daemonOutput).toMatch(/Configuring link-local address 169\.254\.169\.254\.\.\.done\./);
    expect(o.aliasWhileRunning).toEqual({ address: true, nftTable: true });
    expect(o.initial).toEqual({ 'aws-cli': o.expected.developer, boto3: o.expected.developer, 'js-sdk': o.expected.developer });
    expect(o.switchExit).toBe(0);
    expect(o.afterSwitch).toBe(o.expected.admin);
    expect(o.silentRefreshIssued).toBe(1);
    expect(o.afterRefresh).toBe(o.expected.admin);
    expect(o.afterIdpDeath).toBe(o.expected.admin);
    expect(o.roleListBeforeExpiry).toBe(200);
    expect(o.roleListAfterExpiry).toBe(404);
    expect(o.afterExpiry).toMatch(/^error: .*(Unable to locate credentials|credentials)/i);
    expect(o.daemonExit).toBe(0);
    expect(o.aliasAfter).toEqual({ address: false, nftTable: false });
    // Nothing secret in what the daemon printed besides the container token it hands to the user.
    expect(o.daemonOutput).not.toMatch(/ASIA[A-Z0-9]{16}|alice-Pa55/);
  }, 180_000);
});
