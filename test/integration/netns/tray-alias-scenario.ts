/**
 * The tray app's controller at the real address, run INSIDE a fresh network namespace (tray-alias-netns.test.ts
 * starts it with unshare and asserts on what it prints): alias mode sets up 169.254.169.254 and the port-80
 * redirect itself (direct runner, as root), the AWS CLI finds the credentials with no AWS variables, and quitting
 * keeps or removes the set-up as "revert alias on quit" says. Prints one JSON line of observations on stdout.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAliasSetup } from '../../../main/network/setup.js';
import { callerArn } from '../../support/caller-identity.js';
import { startIdp } from '../../support/idp/index.js';
import { aliasState } from '../../support/netns.js';
import { providersTrusting, startStsStandIn } from '../../support/sts/stand-in.js';
import { signInAndChoose, startTrayHarness } from '../../support/tray-controller-harness.js';

const log = (line: string) => process.stderr.write(`[scenario] ${line}\n`);
const observations: Record<string, unknown> = {};

const idp = await startIdp();
const standIn = await startStsStandIn({
  providers: providersTrusting(idp),
});
const root = await mkdtemp(join(tmpdir(), 'cloudtoken-tray-alias-'));
observations.before = aliasState();
try {
  for (const revertAliasOnQuit of [false, true]) {
    const harness = await startTrayHarness({
      idp,
      stsUrl: standIn.url,
      root,
      initial: (s) => {
        s.imdsMode = 'alias';
        s.imdsPort = 9911;
        s.revertAliasOnQuit = revertAliasOnQuit;
      },
      aliasSetup: (port) => createAliasSetup({ port }),
    });
    const key = revertAliasOnQuit ? 'reverting' : 'keeping';
    await signInAndChoose(harness, 'arn:aws:iam::111111111111:role/Developer');
    for (let i = 0; i < 50 && harness.controller.snapshot().phase !== 'active'; i += 1) await new Promise((r) => setTimeout(r, 100));
    let served = '';
    for (let i = 0; i < 30 && !served.startsWith('arn:'); i += 1) {
      served = await callerArn('aws-cli', standIn.url).catch((e: Error) => `error: ${e.message}`);
      if (!served.startsWith('arn:')) await new Promise((r) => setTimeout(r, 300));
    }
    const status = await harness.controller.ipc['cloudtoken:status:get'](undefined, { kind: 'status', webContentsId: 1 });
    observations[key] = { served, imds: status.imds, whileRunning: aliasState() };
    await harness.controller.stop();
    (observations[key] as Record<string, unknown>).afterQuit = aliasState();
    log(`${key}: done`);
  }
} catch (error) {
  observations.error = (error as Error).stack;
} finally {
  await standIn.close();
  await idp.stop();
}
process.stdout.write(`${JSON.stringify(observations)}\n`);
process.exit(0);
