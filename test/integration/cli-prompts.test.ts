import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run.js';
import { fakeIo } from '../support/cli-io.js';
import { startCliPeers, type CliPeers } from '../support/cli-peers.js';
import { ALICE } from '../support/idp/index.js';

/**
 * `cloudtoken login --form` at a terminal, run in-process with a keyboard the test types on, against the real
 * SimpleSAMLphp and the STS stand-in: the password asked again after a typo, and Ctrl-C at each question.
 */
let peers: CliPeers;
let runs = 0;

/** A login in a fresh state folder, at a terminal; resolves with its exit code once it is done. */
function login(extra: string[] = []) {
  runs += 1;
  const { dir, standIn, idp } = peers;
  const io = fakeIo({ tty: true, homedir: dir, env: { CLOUDTOKEN_HOME: join(dir, `state-${runs}`), AWS_ENDPOINT_URL_STS: standIn.url } });
  const exited = runCli(['login', '--idp-url', idp.signInUrl, '--form', '--username', ALICE.username, ...extra], io.io);
  const type = (text: string) => io.keyboard!.write(text);
  const passwordAsked = (times: number) => io.stderr.waitFor(new RegExp(`(?:Password for ${ALICE.username} at \\S+: [^]*){${times}}$`));
  return { io, exited, type, passwordAsked };
}

beforeAll(async () => {
  peers = await startCliPeers('prompts');
}, 60_000);

afterAll(() => peers?.close());

describe('cloudtoken login at a terminal', () => {
  it('asks for the password again after the IdP refused it, and signs in with the right one', async () => {
    const run = login(['--role', 'Developer']);
    await run.passwordAsked(1);
    run.type('not-it\r');
    await run.passwordAsked(2);
    run.type('still-not-it\r');
    await run.passwordAsked(3);
    run.type(`${ALICE.password}\r`);
    expect(await run.exited, run.io.stderr.text).toBe(0);
    expect(run.io.stderr.text.match(/Try again \((?:2 more attempts|1 more attempt)\)\./g)).toEqual(['Try again (2 more attempts).', 'Try again (1 more attempt).']);
    expect(run.io.stdout.text).toMatch(/^Using role arn:aws:iam::111111111111:role\/Developer\n/);
    expect(run.io.stderr.text).not.toMatch(/not-it|still-not-it/);
  });

  it('gives up after three refused passwords', async () => {
    const run = login(['--role', 'Developer']);
    for (let asked = 1; asked <= 3; asked += 1) {
      await run.passwordAsked(asked);
      run.type(`wrong-${asked}\r`);
    }
    expect(await run.exited).toBe(1);
    expect(run.io.stderr.text.match(/Password for /g)).toHaveLength(3);
    expect(run.io.stderr.text).toMatch(/\ncloudtoken: .*(password|credentials).*\n$/i);
  });

  it('exits 130 on Ctrl-C at the password question', async () => {
    const run = login(['--role', 'Developer']);
    await run.passwordAsked(1);
    run.type('\x03');
    expect(await run.exited).toBe(130);
    expect(run.io.stderr.text).toMatch(/cloudtoken: Cancelled\.\n$/);
  });

  it('exits 130 on Ctrl-C at the role question', async () => {
    const run = login();
    await run.passwordAsked(1);
    run.type(`${ALICE.password}\r`);
    await run.io.stderr.waitFor(/Enter number of role you want: $/);
    run.type('\x03');
    expect(await run.exited).toBe(130);
    expect(run.io.stderr.text).toMatch(/cloudtoken: Cancelled\.\n$/);
    expect(run.io.stdout.text).toBe('');
  });
});
