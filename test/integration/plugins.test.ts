import { chmod, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PluginSetting } from '../../main/settings/schema.js';
import { createSettingsStore } from '../../main/settings/settings-store.js';
import { createLogger, type Logger } from '../../main/support/logger.js';
import { accessKeyFrom } from '../support/aws-clients.js';
import { CloudtokenProcess, runCloudtoken } from '../support/cli.js';
import { freePort } from '../support/free-ports.js';
import { ALICE, startIdp, type RunningIdp } from '../support/idp/index.js';
import { providersTrusting, startStsStandIn, type StsStandIn } from '../support/sts/stand-in.js';
import { signInAndChoose, startTrayHarness } from '../support/tray-controller-harness.js';

/**
 * The plugins of examples/plugins, installed as a user installs them, run by the built `cloudtoken` against the
 * real SimpleSAMLphp and the STS stand-in: the sign-in source signs in, the command handler keeps a
 * credentials file, the module handler's notification reaches the terminal. Misbehaving plugins (one that
 * throws, hangs, crashes, prints garbage, or has a group-writable file) are each reported by name while the
 * session goes on serving a real AWS SDK.
 */
const EXAMPLES = join(process.cwd(), 'examples', 'plugins');
const PROFILE = 'idp-test';

let idp: RunningIdp;
let standIn: StsStandIn;
let root: string;

beforeAll(async () => {
  idp = await startIdp();
  standIn = await startStsStandIn({ providers: providersTrusting(idp) });
  root = await mkdtemp(join(tmpdir(), 'cloudtoken-plugins-'));
}, 60_000);

afterAll(async () => {
  await standIn?.close();
  await idp?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

interface Home {
  state: string;
  plugins: string;
  out: string;
  env: Record<string, string>;
}

/** A state folder with the examples installed in its plugins/ (private, as the trust rule wants) and more files beside them. */
async function makeHome(name: string, extra: Record<string, string> = {}): Promise<Home> {
  const home = join(root, name);
  const state = join(home, 'state');
  const plugins = join(state, 'plugins');
  const out = join(home, 'out');
  await mkdir(plugins, { recursive: true, mode: 0o700 });
  await mkdir(out, { recursive: true, mode: 0o700 });
  await chmod(state, 0o700);
  await cp(EXAMPLES, plugins, { recursive: true });
  for (const [file, text] of Object.entries(extra)) await writeFile(join(plugins, file), text, { mode: 0o700 });
  await privateTree(plugins);
  const env = { PATH: '/usr/bin:/bin', HOME: home, CLOUDTOKEN_HOME: state, AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_STS: standIn.url };
  return { state, plugins, out, env };
}

async function privateTree(path: string): Promise<void> {
  const { readdir } = await import('node:fs/promises');
  const stats = await stat(path);
  await chmod(path, stats.isDirectory() ? 0o700 : (stats.mode & 0o100) !== 0 ? 0o700 : 0o600);
  if (stats.isDirectory()) for (const entry of await readdir(path)) await privateTree(join(path, entry));
}

async function configure(home: Home, plugins: PluginSetting[], signInPlugin = 'simplesamlphp'): Promise<void> {
  await createSettingsStore({ path: join(home.state, 'settings.json') }).update((s) => {
    s.idpProfiles = [{ id: PROFILE, name: 'Test IdP', signInUrl: idp.signInUrl, signInPlugin }];
    s.activeProfileId = PROFILE;
    s.plugins = plugins;
  });
}

const signInSource: PluginSetting = { name: 'simplesamlphp', kind: 'sign-in-source', module: 'simplesamlphp-sign-in' };
const notifier: PluginSetting = { name: 'notify', kind: 'credential-handler', module: 'desktop-notification/index.mjs' };
const jsonFile = (home: Home): PluginSetting => ({
  name: 'json-file',
  kind: 'credential-handler',
  command: [process.execPath, join(home.plugins, 'credentials-json-file', 'write-credentials.mjs'), join(home.out, 'credentials.json')],
});

const loginArgs = ['login', '--username', ALICE.username, '--password-stdin', '--role', 'Developer', '--json'];

async function waitForFile(path: string, test: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text && test(text)) return text;
    if (Date.now() > deadline) throw new Error(`${path} never matched; last: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('plugins, end to end', () => {
  it('signs in through the SimpleSAMLphp sign-in module; the command handler writes the credentials at 0600 and the module handler notifies', async () => {
    const home = await makeHome('login');
    await configure(home, [signInSource, jsonFile(home), notifier]);
    const result = await runCloudtoken(loginArgs, home.env, `${ALICE.password}\n`);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { assumedRoleArn: string };
    expect(out.assumedRoleArn).toBe('arn:aws:sts::111111111111:assumed-role/Developer/alice@example.org');
    expect(result.stderr).toContain('cloudtoken: notify: AWS tools now act as Developer in 111111111111');
    expect(result.stderr).not.toContain(ALICE.password);
    const file = join(home.out, 'credentials.json');
    const written = JSON.parse(await readFile(file, 'utf8')) as { Version: number; AccessKeyId: string; Expiration: string };
    expect(written.Version).toBe(1);
    expect(written.AccessKeyId).toBe(standIn.issued.at(-1)?.accessKeyId);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

/** Handlers that misbehave, each in its own way. */
const BAD_HANDLERS = {
  'throws.mjs': `export default { apiVersion: 1, kind: 'credential-handler', handle() { throw new Error('the disk is on fire'); } };\n`,
  'hangs.mjs': `export default { apiVersion: 1, kind: 'credential-handler', handle() { return new Promise(() => {}); } };\n`,
  'crashes.mjs': `export default { apiVersion: 1, kind: 'credential-handler', handle() { process.stdout.write('garbage \\u0000 on stdout\\n'); process.exit(7); } };\n`,
  'writable.sh': '#!/bin/sh\ncat > /dev/null\n',
};

describe('misbehaving plugins', () => {
  it('are reported by name and disabled, while the daemon goes on serving the AWS SDK and the good handler', async () => {
    const home = await makeHome('daemon', BAD_HANDLERS);
    await chmod(join(home.plugins, 'writable.sh'), 0o770);
    const handler = (name: string, extra: Partial<PluginSetting> = {}): PluginSetting => ({ name, kind: 'credential-handler', module: `${name}.mjs`, ...extra });
    await configure(home, [
      signInSource,
      handler('throws'),
      handler('hangs', { timeoutSeconds: 1 }),
      handler('crashes'),
      { name: 'writable', kind: 'credential-handler', command: [join(home.plugins, 'writable.sh')] },
      jsonFile(home),
    ]);
    // The IdP session first, so the daemon's sign-in (and its refresh) is a silent one through the plugin.
    const login = await runCloudtoken(loginArgs, home.env, `${ALICE.password}\n`);
    expect(login.code, login.stderr).toBe(0);

    const port = await freePort();
    const daemon = new CloudtokenProcess(['daemon', '--imds', 'loopback', '--port', String(port), '--role', 'Developer'], home.env);
    try {
      await daemon.waitFor(/Metadata proxy now available on (\S+)/);
      await daemon.waitFor(/The credential handler "throws" failed on the issued event: The plugin "throws" failed: the disk is on fire/);
      await daemon.waitFor(/The plugin "hangs" did not answer within 1 s; it was stopped and is disabled/);
      await daemon.waitFor(/The plugin "crashes" stopped \(exited with status 7\); it is disabled/);
      await daemon.waitFor(new RegExp(`The plugin "writable" was not run: ${join(home.plugins, 'writable.sh')} is writable by its group \\(mode 770\\)\\. Make it writable only by you: chmod go-w`));

      const served = await accessKeyFrom('js-imds', { AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}/` });
      const file = join(home.out, 'credentials.json');
      expect(JSON.parse(await waitForFile(file, (text) => text.includes(served))).AccessKeyId).toBe(served);

      const status = await runCloudtoken(['status', '--json'], home.env);
      const [session] = (JSON.parse(status.stdout) as { sessions: Array<{ plugins: Array<{ name: string; kind: string; form: string; path: string; state: string }> }> }).sessions;
      expect(session?.plugins.map((p) => [p.name, p.kind, p.form, p.state])).toEqual([
        ['simplesamlphp', 'sign-in-source', 'module', 'active'],
        ['throws', 'credential-handler', 'module', 'active'],
        ['hangs', 'credential-handler', 'module', 'disabled'],
        ['crashes', 'credential-handler', 'module', 'disabled'],
        ['writable', 'credential-handler', 'command', 'disabled'],
        ['json-file', 'credential-handler', 'command', 'active'],
      ]);
      expect(session?.plugins[0]?.path).toBe(join(home.plugins, 'simplesamlphp-sign-in'));
      const text = await runCloudtoken(['status'], home.env);
      expect(text.stdout).toMatch(/Plugin hangs \(credential handler, module\): .*hangs\.mjs — disabled/);

      // A refresh signs in silently through the plugin again; the good handler hears of it, the disabled ones are not run.
      const before = daemon.output;
      const refresh = await runCloudtoken(['refresh'], home.env);
      expect(refresh.code, refresh.stderr).toBe(0);
      const renewed = await accessKeyFrom('js-imds', { AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}/` });
      expect(renewed).not.toBe(served);
      expect(JSON.parse(await waitForFile(file, (text) => text.includes(renewed))).AccessKeyId).toBe(renewed);
      await daemon.waitFor(/"throws" failed on the refreshed event/);
      expect(daemon.output.slice(before.length)).not.toMatch(/"hangs"|"crashes"|"writable"/);

      // The daemon stops: the handlers hear it last; the file handler keeps what is still valid.
      expect(await daemon.stop('SIGINT')).toBe(0);
      expect(daemon.output).toMatch(/"throws" failed on the stopped event/);
      expect(JSON.parse(await readFile(file, 'utf8')).AccessKeyId).toBe(renewed);
    } finally {
      await daemon.stop();
    }
  });

  it('a sign-in command that prints garbage, and a sign-in module that hangs, fail the sign-in with what they did', async () => {
    const home = await makeHome('bad-sources', {
      'garbage.sh': '#!/bin/sh\necho "Welcome! Here is no SAML response."\n',
      'hangs-sign-in.mjs': `export default { apiVersion: 1, kind: 'sign-in-source', signIn() { return new Promise(() => {}); } };\n`,
    });
    const sources: PluginSetting[] = [
      { name: 'garbage', kind: 'sign-in-source', command: [join(home.plugins, 'garbage.sh')] },
      { name: 'stuck', kind: 'sign-in-source', module: 'hangs-sign-in.mjs', timeoutSeconds: 1 },
    ];
    await configure(home, sources, 'garbage');
    const garbage = await runCloudtoken(loginArgs, home.env, `${ALICE.password}\n`);
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toMatch(/The sign-in plugin "garbage" returned something that is not a usable SAMLResponse/);
    await configure(home, sources, 'stuck');
    const stuck = await runCloudtoken(loginArgs, home.env, `${ALICE.password}\n`);
    expect(stuck.code).toBe(1);
    expect(stuck.stderr).toMatch(/The plugin "stuck" did not answer within 1 s/);
  });
});

describe('in the tray app’s runtime', () => {
  /** The tray harness on a free port, running `plugins`: the examples and `extra` files installed into its state folder as a user would. */
  async function trayWith(options: { plugins: PluginSetting[]; signInPlugin?: string; extra?: Record<string, string>; logger?: Logger }) {
    const port = await freePort();
    const harness = await startTrayHarness({
      idp,
      stsUrl: standIn.url,
      root,
      initial: (s) => {
        s.imdsPort = port;
        s.plugins = options.plugins;
        if (options.signInPlugin) s.idpProfiles[0]!.signInPlugin = options.signInPlugin;
      },
      install: async (state) => {
        const plugins = join(state, 'plugins');
        await mkdir(plugins, { recursive: true, mode: 0o700 });
        await cp(EXAMPLES, plugins, { recursive: true });
        for (const [file, text] of Object.entries(options.extra ?? {})) await writeFile(join(plugins, file), text);
        await privateTree(plugins);
      },
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return { harness, port };
  }

  it('runs the module handler (its text becomes a desktop notification) and, once the IdP session exists, the sign-in source', { timeout: 60_000 }, async () => {
    const { harness, port } = await trayWith({ plugins: [notifier, signInSource] });
    try {
      const plugins = join(harness.paths.home, 'plugins');
      const sender = { kind: 'settings' as const, webContentsId: 1 };

      await signInAndChoose(harness, 'arn:aws:iam::111111111111:role/Developer');
      await expect.poll(() => harness.notifications.find((n) => n.title === 'Cloudtoken · notify')?.body, { timeout: 15_000 }).toMatch(/^AWS tools now act as Developer in 111111111111/);
      const listed = (await harness.controller.ipc['cloudtoken:settings:get'](undefined, sender)).plugins;
      expect(listed).toEqual([{ name: 'notify', kind: 'credential-handler', form: 'module', path: join(plugins, 'desktop-notification', 'index.mjs'), state: 'active', problem: undefined }]);

      // The profile now signs in through the plugin: the tray restarts its session and signs in silently with the IdP session.
      await harness.save((s) => (s.idpProfiles[0]!.signInPlugin = 'simplesamlphp'));
      await expect.poll(() => harness.controller.snapshot().roles.length, { timeout: 20_000 }).toBeGreaterThan(1);
      expect((await harness.controller.ipc['cloudtoken:settings:get'](undefined, sender)).plugins.map((p) => p.name)).toEqual(['simplesamlphp', 'notify']);
      // What is served is what STS issued last, which may still be on its way when the poll starts.
      const servedIsLatest = async () => (await accessKeyFrom('js-imds', { AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}/` }).catch(() => '')) === standIn.issued.at(-1)?.accessKeyId;
      await expect.poll(servedIsLatest, { timeout: 20_000 }).toBe(true);
    } finally {
      await harness.controller.stop();
    }
  });

  it('asks the sign-in source’s questions in the question window: Cancel signs nothing in, answers sign in; the password is in no log or notification', { timeout: 60_000 }, async () => {
    const log: string[] = [];
    const { harness } = await trayWith({ plugins: [signInSource], signInPlugin: 'simplesamlphp', logger: createLogger({ level: 'debug', sink: (line) => log.push(line) }) });
    try {
      const { controller } = harness;
      const host = new URL(idp.signInUrl).host;
      // The silent sign-in at start finds no IdP session: the plugin says so, and nobody is asked anything.
      await expect.poll(() => controller.snapshot().error?.code, { timeout: 15_000 }).toBe('INTERACTION_REQUIRED');
      expect(harness.shown).not.toContain('question');

      controller.actions['sign-in']({ kind: 'sign-in' });
      const first = await harness.question();
      expect(first).toEqual({ id: first.id, profileName: 'Corp', label: `User name at ${host}`, secret: false });
      expect(await controller.ipc['cloudtoken:question:cancel']({ id: first.id }, harness.questionWindow)).toEqual({ ok: true });
      await expect.poll(() => controller.snapshot().error).toEqual({ code: 'PROMPT_CANCELLED', message: 'Cancelled.' });
      expect(controller.snapshot().phase).toBe('signed-out');
      expect(await controller.ipc['cloudtoken:question:get'](undefined, harness.questionWindow)).toBeNull();
      // A cancel is the person's choice, not the plugin failing: it stays active, and no notification says otherwise.
      expect((await controller.ipc['cloudtoken:settings:get'](undefined, { kind: 'settings', webContentsId: 1 })).plugins).toMatchObject([{ name: 'simplesamlphp', state: 'active', problem: undefined }]);
      expect(harness.notifications.map((n) => n.title)).not.toContain('A Cloudtoken plugin failed');

      controller.actions['sign-in']({ kind: 'sign-in' });
      const name = await harness.question();
      expect(name.id).toBeGreaterThan(first.id);
      expect(await controller.ipc['cloudtoken:question:answer']({ id: name.id, answer: ALICE.username }, harness.questionWindow)).toEqual({ ok: true });
      const password = await harness.question();
      expect(password).toMatchObject({ label: `Password for ${ALICE.username} at ${host}`, secret: true });
      // An answer meant for the question before is refused; the right one signs in.
      expect(await controller.ipc['cloudtoken:question:answer']({ id: name.id, answer: 'stale' }, harness.questionWindow)).toMatchObject({ ok: false });
      expect(await controller.ipc['cloudtoken:question:answer']({ id: password.id, answer: ALICE.password }, harness.questionWindow)).toEqual({ ok: true });
      await expect.poll(() => controller.snapshot().roles.map((r) => r.roleArn), { timeout: 20_000 }).toEqual(expect.arrayContaining(ALICE.roles.map((r) => r.roleArn)));
      await controller.actions['choose-role']({ kind: 'choose-role', roleArn: 'arn:aws:iam::111111111111:role/Developer' });
      expect(controller.snapshot().phase).toBe('active');
      expect(standIn.issued.at(-1)?.roleArn).toBe('arn:aws:iam::111111111111:role/Developer');

      expect(log.join('\n')).toContain('signing in as alice');
      expect(log.join('\n')).not.toContain(ALICE.password);
      expect(JSON.stringify(harness.notifications)).not.toContain(ALICE.password);
    } finally {
      await harness.controller.stop();
    }
  });

  it('never asks during a silent sign-in, even when the plugin tries', { timeout: 30_000 }, async () => {
    const eager = `export default { apiVersion: 1, kind: 'sign-in-source', async signIn(context) { await context.prompt({ label: 'Code', secret: true }); throw new Error('not reached'); } };\n`;
    const { harness } = await trayWith({ plugins: [{ name: 'eager', kind: 'sign-in-source', module: 'eager.mjs' }], signInPlugin: 'eager', extra: { 'eager.mjs': eager } });
    try {
      await expect.poll(() => harness.controller.snapshot().error?.code, { timeout: 15_000 }).toBe('INTERACTION_REQUIRED');
      expect(harness.controller.snapshot().error?.message).toMatch(/asked a question during a silent sign-in/);
      expect(harness.shown).not.toContain('question');
    } finally {
      await harness.controller.stop();
    }
  });
});
