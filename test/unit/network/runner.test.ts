import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ElevatedScript } from '../../../main/network/alias-plan.js';
import {
  AdminCommandFailedError,
} from '../../../main/network/errors.js';
import {
  commandEnvironment,
  createDirectRunner,
  createSudoPromptRunner,
  isSafeScriptPath,
  isSafeWorkingDirectory,
  mapSudoPromptError,
  withScriptFile,
  type SudoExec,
} from '../../../main/network/runner.js';

const sh = (text: string): ElevatedScript => ({ shell: 'sh', text });

// The scripts print facts about the file they run from: its mode, its directory's mode and its path.
const SELF_REPORT = sh('echo "$0"\nstat -c %a "$0"\nstat -c %a "$(dirname "$0")"\n');

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cloudtoken-runner-test-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('createDirectRunner', () => {
  const runner = createDirectRunner();

  it('runs argv without a shell: metacharacters stay literal', async () => {
    const result = await runner.run(['echo', '$(id -u)', '`id`', ';', '&&', 'false']);
    expect(result).toEqual({ code: 0, stdout: '$(id -u) `id` ; && false\n', stderr: '' });
  });

  it('finds system tools even when the session PATH lacks the sbin directories', () => {
    expect(commandEnvironment({ PATH: '/home/u/bin:/usr/bin', LANG: 'de_DE.UTF-8' }, 'linux')).toEqual({
      PATH: '/home/u/bin:/usr/bin:/usr/sbin:/sbin:/bin',
      LANG: 'de_DE.UTF-8',
    });
    expect(commandEnvironment({}, 'darwin').PATH).toBe('/usr/sbin:/sbin:/usr/bin:/bin');
    expect(commandEnvironment({ Path: 'C:\\Windows\\system32' }, 'win32')).toEqual({ Path: 'C:\\Windows\\system32' });
  });

  it('reports exit codes and missing programs instead of throwing', async () => {
    expect((await runner.run(['sh', '-c', 'echo oops >&2; exit 3'])).code).toBe(3);
    const missing = await runner.run(['/nonexistent/cloudtoken-tool']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/ENOENT/);
  });

  it('runs an elevated script from a private file and removes it afterwards', async () => {
    const direct = createDirectRunner({ tmpRoot: root });
    const result = await direct.runElevated(SELF_REPORT, 'test');
    const [path, fileMode, dirMode] = result.stdout.trim().split('\n');
    expect(path).toMatch(new RegExp(`^${root}/cloudtoken-[A-Za-z0-9]{6}/network\\.sh$`));
    expect(fileMode).toBe('600');
    expect(dirMode).toBe('700');
    expect(existsSync(path!)).toBe(false);
    expect(await readdir(root)).toEqual([]);
  });

  it('turns a non-zero exit into AdminCommandFailedError with the exit code, and still cleans up', async () => {
    const direct = createDirectRunner({ tmpRoot: root });
    const error = await direct.runElevated(sh('echo "no permission for lo" >&2\nexit 11\n'), 'test').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminCommandFailedError);
    expect(error).toMatchObject({ exitCode: 11, stderr: 'no permission for lo\n', code: 'network.admin-command-failed' });
    expect((error as Error).message).toContain('while redirecting port 80');
    expect(await readdir(root)).toEqual([]);
  });
});

describe('withScriptFile', () => {
  it('refuses a temporary directory whose path a shell would interpret, before writing anything', async () => {
    for (const name of ['a$(touch pwned)', 'has space', 'quote"d', 'back`tick`', 'semi;colon']) {
      const hostile = join(root, name);
      await rm(hostile, { recursive: true, force: true });
      await mkdir(hostile);
      let ran = false;
      const error = await withScriptFile(sh('true\n'), { tmpRoot: hostile }, async () => {
        ran = true;
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'network.unsafe-script-path' });
      expect(ran).toBe(false);
      expect(await readdir(hostile)).toEqual([]);
    }
  });

  it.each([
    ['C:\\Users\\JOHNSM~1\\AppData\\Local\\Temp\\cloudtoken-Ab12Cd\\network.cmd', true],
    ['C:\\Users\\John Smith (IT)\\AppData\\Local\\Temp\\cloudtoken-Ab12Cd\\network.cmd', true],
    ['C:\\Users\\%USERNAME%\\Temp\\network.cmd', false],
    ['C:\\Temp\\a"&calc&"\\network.cmd', false],
    ['C:\\Temp\\a^b\\network.cmd', false],
    ['\\\\server\\share\\network.cmd', false],
  ])('Windows path %s is safe: %s', (path, safe) => {
    expect(isSafeScriptPath(path, 'win32')).toBe(safe);
  });

  it.each([
    ['/tmp/cloudtoken-Ab12Cd/network.sh', true],
    ['/var/folders/x7/8z_9kq0d3k5g/T/cloudtoken-Ab12Cd/network.sh', true],
    ['/tmp/a b/network.sh', false],
    ["/tmp/it's/network.sh", false],
    ['/tmp/$HOME/network.sh', false],
  ])('POSIX path %s is safe: %s', (path, safe) => {
    expect(isSafeScriptPath(path, 'posix')).toBe(safe);
  });
});

describe('createSudoPromptRunner', () => {
  it('passes sudo-prompt only `/bin/sh <private file>`, with the app name, and the file holds the script', async () => {
    const calls: { command: string; options: object; script: string }[] = [];
    const exec: SudoExec = (command, options, callback) => {
      const path = command.replace(/^\/bin\/sh /, '');
      calls.push({ command, options, script: readFileSync(path, 'utf8') });
      callback(undefined, 'done\n', '');
    };
    const runner = createSudoPromptRunner({ name: 'Cloudtoken', icns: '/Applications/Cloudtoken.app/Contents/Resources/icon.icns', exec, tmpRoot: root });
    const script = sh('echo "$HOME" `id` $(id)\n');
    expect(await runner.runElevated(script, 'test')).toEqual({ code: 0, stdout: 'done\n', stderr: '' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.command).toMatch(new RegExp(`^/bin/sh ${root}/cloudtoken-[A-Za-z0-9]{6}/network\\.sh$`));
    expect(calls[0]!.options).toEqual({ name: 'Cloudtoken', icns: '/Applications/Cloudtoken.app/Contents/Resources/icon.icns' });
    expect(calls[0]!.script).toBe(script.text);
    expect(await readdir(root)).toEqual([]);
  });

  it('with the real @vscode/sudo-prompt on a machine without pkexec or a polkit agent: a typed error, no crash', async () => {
    const runner = createSudoPromptRunner({ name: 'Cloudtoken', tmpRoot: root });
    const error = await runner.runElevated(sh('exit 0\n'), 'test').catch((e: unknown) => e);
    if (existsSync('/usr/bin/pkexec') || existsSync('/usr/bin/kdesudo')) {
      // pkexec without an agent (or with one the test cannot answer) never yields a plain success here.
      expect(error).toBeInstanceOf(Error);
    } else {
      expect(error).toMatchObject({ code: 'network.admin-unavailable' });
      expect((error as Error).message).toContain('neither pkexec nor kdesudo is installed');
    }
    expect(await readdir(root)).toEqual([]);
  });
});

describe('the working directory sudo-prompt writes into its shell', () => {
  it.each([
    ['/', 'posix', true],
    ['/home/jo/My Projects (2)', 'posix', true],
    ['/home/jo/$(touch pwned)', 'posix', false],
    ['/home/jo/`id`', 'posix', false],
    ['/home/jo/a\\"b', 'posix', false],
    ['C:\\Users\\Jo Smith\\Desktop', 'win32', true],
    ['C:\\Users\\%USERNAME%', 'win32', false],
    ['C:\\Temp\\wow!', 'win32', false],
  ] as const)('%s (%s) is safe: %s', (path, flavour, safe) => {
    expect(isSafeWorkingDirectory(path, flavour)).toBe(safe);
  });

  it('refuses to prompt at all from a directory the shell would interpret', async () => {
    const hostile = join(root, '$(touch pwned)');
    await mkdir(hostile);
    // A child process, because vitest workers cannot chdir; it reports what the runner did.
    const code = `
      const { createSudoPromptRunner } = await import(${JSON.stringify(new URL('../../../main/network/runner.ts', import.meta.url).pathname)});
      let called = false;
      const runner = createSudoPromptRunner({ name: 'Cloudtoken', exec: () => { called = true; } });
      const error = await runner.runElevated({ shell: 'sh', text: 'true\\n' }, 'test').catch((e) => e);
      console.log(JSON.stringify({ code: error.code, called }));`;
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const result = spawnSync(process.execPath, ['--import', pathToFileURL(tsx).href, '--input-type=module', '-e', code], {
      cwd: hostile,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ code: 'network.unsafe-script-path', called: false });
    expect(existsSync(join(hostile, 'pwned'))).toBe(false);
  });
});

describe('mapSudoPromptError', () => {
  it('maps sudo-prompt\'s own messages to typed errors', () => {
    expect(mapSudoPromptError(new Error('User did not grant permission.'), '')).toMatchObject({ code: 'network.admin-cancelled' });
    const noAgent = mapSudoPromptError(new Error('No polkit authentication agent found.'), '');
    expect(noAgent).toMatchObject({ code: 'network.admin-unavailable' });
    expect(noAgent.message).toContain('polkit authentication agent');
    expect(noAgent.message).toContain('sudo cloudtoken network setup');
  });

  it('maps a command failure to its exit code', () => {
    const failure = Object.assign(new Error('Command failed: /bin/sh /tmp/x'), { code: 10 });
    const mapped = mapSudoPromptError(failure, 'RTNETLINK answers: Operation not permitted\n');
    expect(mapped).toBeInstanceOf(AdminCommandFailedError);
    expect(mapped).toMatchObject({ exitCode: 10, stderr: 'RTNETLINK answers: Operation not permitted\n' });
    expect(mapped.message).toContain('while adding the address');
  });

  it('keeps anything else a typed, non-crashing error', () => {
    expect(mapSudoPromptError(new Error('Platform not yet supported.'), '')).toMatchObject({ code: 'network.admin-unavailable' });
  });
});
