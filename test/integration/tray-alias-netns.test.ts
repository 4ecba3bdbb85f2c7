import { describe, expect, it } from 'vitest';
import { netnsSupport, runNetnsScenario } from '../support/netns.js';

/**
 * The tray app's alias mode at the real address: its controller (everything the tray does, minus Electron) in a
 * network namespace this test creates, setting up 169.254.169.254 and the port-80 redirect itself, serving the
 * AWS CLI with no AWS variables, and on quit keeping or removing the set-up as the setting says. The scenario runs
 * inside the namespace (netns/tray-alias-scenario.ts) and reports what it saw.
 */
const support = netnsSupport();

interface Run {
  served: string;
  imds: { mode: string; address: string; listening: boolean };
  whileRunning: { address: boolean; nftTable: boolean };
  afterQuit: { address: boolean; nftTable: boolean };
}

describe.skipIf(!support.available)(`the tray app in alias mode, in a network namespace ${support.reason}`, () => {
  it('sets up 169.254.169.254 itself, serves the AWS CLI there, and keeps or reverts the set-up on quit as set', { timeout: 120_000 }, async () => {
    const { observations: seen } = await runNetnsScenario<Record<string, unknown>>('test/integration/netns/tray-alias-scenario.ts', 100_000);
    expect(seen.error).toBeUndefined();
    expect(seen.before).toEqual({ address: false, nftTable: false });
    const keeping = seen.keeping as Run;
    const reverting = seen.reverting as Run;
    for (const run of [keeping, reverting]) {
      expect(run.served).toBe('arn:aws:sts::111111111111:assumed-role/Developer/alice@example.org');
      expect(run.imds).toMatchObject({ mode: 'alias', address: 'http://169.254.169.254/', listening: true });
      expect(run.whileRunning).toEqual({ address: true, nftTable: true });
    }
    expect(keeping.afterQuit).toEqual({ address: true, nftTable: true });
    expect(reverting.afterQuit).toEqual({ address: false, nftTable: false });
  });
});
