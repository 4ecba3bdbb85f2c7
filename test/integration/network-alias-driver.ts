/**
 * Runs inside a network namespace created by test/integration/network-alias.test.ts
 * (`unshare --net --pid --fork --kill-child --mount-proc`): nothing here can reach the real 169.254.169.254.
 * Node cannot enter a namespace itself, so the test starts this script in one and asserts on the JSON it
 * prints. Commands:
 *   scenario <nftables|iptables|auto> [hide-nft]
 *                                 apply, serve, query with the AWS CLI, apply again, revert
 *   conflict-address              someone else's interface holds the address
 *   conflict-listener             someone else listens on 169.254.169.254:80
 *   leftover-alias                another tool's wider alias is already on lo
 *   imds <port>                   (started by `scenario` as nobody) the metadata service on the alias
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createAliasManager } from '../../main/network/alias.js';
import { createAliasPlan, METADATA_ADDRESS, type LinuxRedirect } from '../../main/network/alias-plan.js';
import { createRedirectProbe } from '../../main/network/probe.js';
import { createDirectRunner, type Runner } from '../../main/network/runner.js';

const NOBODY = 65534;
const THIS_FILE = fileURLToPath(import.meta.url);

function sh(argv: readonly string[]): { code: number; stdout: string } {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return { code: result.status ?? -1, stdout: result.stdout };
}

/** Set-up steps of a scenario must work, or the scenario proves nothing. */
function setup(argv: readonly string[]): void {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
}

function countingRunner(): { runner: Runner; elevatedRuns: () => number } {
  const direct = createDirectRunner();
  let count = 0;
  return {
    runner: {
      run: (argv) => direct.run(argv),
      runElevated: (script, reason) => {
        count += 1;
        return direct.runElevated(script, reason);
      },
    },
    elevatedRuns: () => count,
  };
}

function managerFor(port: number, redirect: LinuxRedirect) {
  const plan = createAliasPlan({ platform: 'linux', port, linuxRedirect: redirect });
  const { runner, elevatedRuns } = countingRunner();
  const manager = createAliasManager({ runner, plan, probe: createRedirectProbe({ address: METADATA_ADDRESS, listenPort: port, timeoutMs: 500 }) });
  return { manager, elevatedRuns, plan };
}

type RuleTool = 'nftables' | 'iptables';

function rulesets(tool: RuleTool): string[] {
  if (tool === 'nftables') return [sh(['nft', 'list', 'ruleset']).stdout];
  return [sh(['iptables', '-t', 'nat', '-S']).stdout, sh(['iptables', '-S']).stdout];
}

/** One HTTP GET to port 80 of the alias; the namespace has no other route, so this stays inside it. */
function getPort80(): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: METADATA_ADDRESS, port: 80, path: '/latest/meta-data/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(`HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

/** Starts a child and resolves with its first stdout line (its "ready" report). */
function startChild(argv: string[], options: { uid?: number; gid?: number } = {}): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(argv[0]!, argv.slice(1), { ...options, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ child, line }));
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before it was ready`)));
  });
}

/**
 * Makes `nft` look uninstalled inside this namespace's private mount table: a non-executable empty file
 * mounted over the binary. The host's nft is untouched.
 */
function hideNft(): void {
  const nft = sh(['sh', '-c', 'command -v nft']).stdout.trim();
  const empty = join(mkdtempSync(join(tmpdir(), 'cloudtoken-no-nft-')), 'nft');
  writeFileSync(empty, '', { mode: 0o600 });
  setup(['mount', '--bind', empty, nft]);
}

async function scenario(redirect: LinuxRedirect, variant?: string): Promise<Record<string, unknown>> {
  setup(['ip', 'link', 'set', 'lo', 'up']);
  if (variant === 'hide-nft') hideNft();
  const tool: RuleTool = redirect === 'iptables' || variant === 'hide-nft' ? 'iptables' : 'nftables';
  const port = 20000 + Math.floor(Math.random() * 40000);
  const { manager, elevatedRuns, plan } = managerFor(port, redirect);
  const out: Record<string, unknown> = { port, tool, nftVisible: sh(['sh', '-c', 'command -v nft']).code === 0 };
  out.initial = await manager.status();
  out.firstEnsure = await manager.ensure();
  out.elevatedAfterFirst = elevatedRuns();
  const listRules = tool === 'nftables' ? ['nft', 'list', 'table', 'ip', 'cloudtoken'] : ['iptables', '-t', 'nat', '-S', 'CLOUDTOKEN'];
  out.rules = sh(listRules).stdout;

  const { child, line } = await startChild([process.execPath, '--import', 'tsx', THIS_FILE, 'imds', String(port)], { uid: NOBODY, gid: NOBODY });
  try {
    out.server = JSON.parse(line);
    out.statusWithServer = await manager.status();
    const home = mkdtempSync(join(tmpdir(), 'cloudtoken-aws-home-'));
    try {
      const aws = spawnSync('/usr/bin/aws', ['configure', 'export-credentials', '--format', 'process'], {
        env: { PATH: '/usr/bin:/bin', HOME: home },
        encoding: 'utf8',
        timeout: 20_000,
      });
      out.aws = { code: aws.status, stdout: aws.stdout, stderr: aws.stderr };
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    out.secondEnsure = await manager.ensure();
    out.elevatedAfterSecond = elevatedRuns();
    // The script itself is idempotent too: running it again, past the manager's check, changes nothing.
    const snapshot = () => [sh(['ip', '-4', '-o', 'addr', 'show']).stdout, ...rulesets(tool)].join('\n');
    const before = snapshot();
    await createDirectRunner().runElevated(plan.apply, 'test: apply again');
    out.scriptRerunChanged = snapshot() !== before;
    out.snapshot = before;
    out.revert = await manager.revert();
    out.port80AfterRevert = await getPort80();
    out.rulesAfterRevert = sh(listRules).code;
    out.addressesAfterRevert = sh(['ip', '-4', '-o', 'addr', 'show', 'dev', 'lo']).stdout;
    out.secondRevert = await manager.revert();
    out.elevatedAfterRevert = elevatedRuns();
  } finally {
    child.kill();
  }
  return out;
}

async function conflictAddress(): Promise<Record<string, unknown>> {
  setup(['ip', 'link', 'set', 'lo', 'up']);
  // A VPN client's interface (a veth here: the dummy driver is not always loadable in a namespace).
  setup(['ip', 'link', 'add', 'vpn0', 'type', 'veth', 'peer', 'name', 'vpn1']);
  setup(['ip', 'addr', 'add', `${METADATA_ADDRESS}/16`, 'dev', 'vpn0']);
  const { manager, elevatedRuns } = managerFor(43210, 'auto');
  const out: Record<string, unknown> = { status: await manager.status() };
  out.ensureError = await manager.ensure().then(
    () => undefined,
    (error: Error & { code?: string }) => ({ code: error.code, message: error.message }),
  );
  out.elevatedRuns = elevatedRuns();
  return out;
}

/** aws-vault's leftover `169.254.169.254/24 dev lo label lo:0`: used, completed, and left in place on revert. */
async function leftoverAlias(): Promise<Record<string, unknown>> {
  setup(['ip', 'link', 'set', 'lo', 'up']);
  setup(['ip', 'addr', 'add', `${METADATA_ADDRESS}/24`, 'dev', 'lo', 'label', 'lo:0']);
  const { manager, elevatedRuns } = managerFor(43212, 'auto');
  const out: Record<string, unknown> = { before: await manager.status() };
  out.ensure = await manager.ensure();
  out.revert = await manager.revert();
  out.elevatedRuns = elevatedRuns();
  out.addressesAfterRevert = sh(['ip', '-4', '-o', 'addr', 'show', 'dev', 'lo']).stdout;
  return out;
}

async function conflictListener(): Promise<Record<string, unknown>> {
  setup(['ip', 'link', 'set', 'lo', 'up']);
  setup(['ip', 'addr', 'add', `${METADATA_ADDRESS}/32`, 'dev', 'lo']);
  // Another metadata emulator run as root on port 80 of the alias (as aws-vault's proxy does).
  const other = `require('node:http').createServer((q, s) => s.end('other')).listen(80, '${METADATA_ADDRESS}', () => console.log(process.pid))`;
  const { child, line } = await startChild([process.execPath, '-e', other]);
  try {
    const { manager, elevatedRuns } = managerFor(43211, 'auto');
    const out: Record<string, unknown> = { otherPid: Number(line), status: await manager.status() };
    out.ensureError = await manager.ensure().then(
      () => undefined,
      (error: Error & { code?: string }) => ({ code: error.code, message: error.message }),
    );
    out.elevatedRuns = elevatedRuns();
    return out;
  } finally {
    child.kill();
  }
}

/** The real metadata service, unprivileged, on the alias's high port; prints what it serves once listening. */
async function imds(port: number): Promise<void> {
  const { createImdsApp } = await import('../../main/imds/app.js');
  const { startMetadataServer } = await import('../../main/imds/server.js');
  const credentials = {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(60).toString('base64'),
    expiration: Date.now() + 3_600_000,
  };
  const app = createImdsApp({
    region: 'eu-west-1',
    credentials: () => ({ roleName: 'netns-test', accountId: '123456789012', credentials, lastUpdated: Date.now() }),
  });
  await startMetadataServer({ app, host: METADATA_ADDRESS, port });
  console.log(JSON.stringify({ uid: process.getuid?.(), accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }));
}

const [command, arg, variant] = process.argv.slice(2);
const commands: Record<string, () => Promise<unknown>> = {
  scenario: () => scenario(arg as LinuxRedirect, variant),
  'conflict-address': conflictAddress,
  'conflict-listener': conflictListener,
  'leftover-alias': leftoverAlias,
  imds: () => imds(Number(arg)),
};
const selected = command ? commands[command] : undefined;
if (!selected) {
  console.error(`usage: network-alias-driver.ts ${Object.keys(commands).join('|')} [arg]`);
  process.exit(2);
}
const result = await selected();
if (result !== undefined) {
  console.log(JSON.stringify(result));
  process.exit(0);
}
