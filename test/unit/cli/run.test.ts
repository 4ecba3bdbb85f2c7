import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../../main/cli/definitions.js';
import { commandHelp, mainHelp } from '../../../main/cli/help.js';
import { runCli } from '../../../main/cli/run.js';
import { fakeIo } from '../../support/cli-io.js';

let home: string;
let env: Record<string, string>;

async function run(argv: string[]) {
  const io = fakeIo({ env, homedir: home });
  const code = await runCli(argv, io.io);
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cloudtoken-run-'));
  env = { CLOUDTOKEN_HOME: join(home, 'state') };
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('runCli', () => {
  it('prints the generated help: the overview, and each command’s own both ways', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, stdout: `${mainHelp()}\n`, stderr: '' });
    expect((await run([])).stdout).toBe(`${mainHelp()}\n`);
    for (const command of COMMAND_NAMES) {
      const asked = await run(['help', command]);
      expect(asked).toEqual({ code: 0, stdout: `${commandHelp(command)}\n`, stderr: '' });
      if (command !== 'help') expect((await run([command, '--help'])).stdout).toBe(asked.stdout);
    }
  });

  it('prints the package version for --version', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `cloudtoken ${version}\n`, stderr: '' });
    expect((await run(['env', '--version'])).stdout).toBe(`cloudtoken ${version}\n`);
  });

  it('exits 2 for an option the command does not take, before touching anything', async () => {
    expect(await run(['env', '--keep-alias', '--port', '9000'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'cloudtoken: `--keep-alias` is an option of daemon; env does not take it. See `cloudtoken help env`.\n',
    });
    expect((await run(['status', '--role', 'Admin'])).code).toBe(2);
    expect((await run(['daemon', '--credentials-profile', 'X'])).code).toBe(2);
    expect((await run(['login', '--region', 'mars-1'])).stderr).toBe('cloudtoken: --region must be an AWS region such as us-east-1, eu-central-2 or us-gov-west-1; got "mars-1".\n');
  });

  it('switch-role exits 1 with what to do when no session of the profile runs', async () => {
    const state = env.CLOUDTOKEN_HOME!;
    await mkdir(state, { recursive: true });
    await writeFile(join(state, 'settings.json'), JSON.stringify({ idpProfiles: [{ id: 'p1', name: 'work', signInUrl: 'https://idp.example.com/sso' }] }));
    expect(await run(['switch-role', '--role', 'Admin'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'cloudtoken: no session of this profile is running, so there is nothing to switch. Start one with `cloudtoken daemon --role Admin`, or choose the role for later sign-ins with `cloudtoken login --role Admin`.\n',
    });
    expect((await run(['switch-role', '--role', 'Admin', '--port', '9921'])).stderr).toMatch(/^cloudtoken: no session of this profile is running on port 9921,/);
  });
});
