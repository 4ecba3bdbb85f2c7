import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { AWS_SP_ENTITY_ID, renderIdpConfig } from './config.js';
import type { IdpConfigInput } from './config.js';
import { DEFAULT_USERS } from './users.js';
import type { IdpUser } from './users.js';
import { killGroupOnExit } from './process-cleanup.js';
import { freePort } from '../free-ports.js';

export { ALICE, BOB, AWS_ATTRIBUTE, roleAttributeValue } from './users.js';
export type { IdpRole, IdpUser } from './users.js';
export { AWS_ACS_URL, AWS_SP_ENTITY_ID } from './config.js';

const SIMPLESAMLPHP_WWW = '/usr/share/simplesamlphp/www';
const execFileAsync = promisify(execFile);

export interface IdpOptions {
  /** Defaults to alice and bob (see users.ts). */
  users?: readonly IdpUser[];
  /** IdP session lifetime in seconds (SimpleSAMLphp `session.duration`); default 8 h. */
  sessionDuration?: number;
  nameIdFormat?: IdpConfigInput['nameIdFormat'];
  /** A fixed port; default: a free one. */
  port?: number;
  /**
   * The port clients reach the IdP on when something sits in front of it (a fault proxy): its pages and
   * redirects name this port, while PHP listens on `port`.
   */
  frontPort?: number;
}

export interface RunningIdp {
  /** http://127.0.0.1:<frontPort or port> */
  baseUrl: string;
  /** The port PHP itself listens on. */
  listenPort: number;
  /** IdP-initiated sign-in to AWS. */
  signInUrl: string;
  entityId: string;
  metadataUrl: string;
  /** The IdP's signing certificate (PEM), as an STS stand-in would hold it from the IAM SAML provider. */
  certificatePem: string;
  users: readonly IdpUser[];
  /** HTTP requests PHP has answered so far (its request log). */
  requests(): number;
  /** Stop PHP (its whole process group) and remove every temporary file. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startIdp(options: IdpOptions = {}): Promise<RunningIdp> {
  const users = options.users ?? DEFAULT_USERS;
  const stateDir = await mkdtemp(join(tmpdir(), 'cloudtoken-idp-'));
  try {
    const port = options.port ?? (await freePort());
    const baseUrl = `http://127.0.0.1:${options.frontPort ?? port}`;
    const metadataUrl = `${baseUrl}/simplesaml/saml2/idp/metadata.php`;
    const files = renderIdpConfig({
      baseUrl,
      entityId: metadataUrl,
      stateDir,
      users,
      sessionDuration: options.sessionDuration ?? 8 * 3600,
      nameIdFormat: options.nameIdFormat ?? 'persistent',
      secretSalt: randomBytes(24).toString('hex'),
      adminPassword: randomBytes(24).toString('hex'),
    });
    for (const sub of ['cert', 'data', 'tmp', 'log', 'sessions', 'docroot']) await mkdir(join(stateDir, sub), { recursive: true });
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(stateDir, path)), { recursive: true });
      await writeFile(join(stateDir, path), text, { mode: 0o600 });
    }
    await symlink(SIMPLESAMLPHP_WWW, join(stateDir, 'docroot', 'simplesaml'));
    const certificatePem = await generateSigningKey(join(stateDir, 'cert'));

    const php = startPhp(stateDir, port);
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await php.stop();
      await rm(stateDir, { recursive: true, force: true });
    };
    try {
      await waitUntilServing(`http://127.0.0.1:${port}/simplesaml/saml2/idp/metadata.php`, stateDir, php.stderrTail);
    } catch (error) {
      await stop();
      throw error;
    }
    return {
      baseUrl,
      listenPort: port,
      signInUrl: `${baseUrl}/simplesaml/saml2/idp/SSOService.php?spentityid=${encodeURIComponent(AWS_SP_ENTITY_ID)}`,
      entityId: metadataUrl,
      metadataUrl,
      certificatePem,
      users,
      requests: php.requests,
      stop,
    };
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}


async function generateSigningKey(certDir: string): Promise<string> {
  const key = join(certDir, 'idp.key');
  const cert = join(certDir, 'idp.crt');
  await execFileAsync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-nodes', '-days', '3650',
    '-subj', '/CN=cloudtoken-test-idp', '-keyout', key, '-out', cert,
  ]);
  return readFile(cert, 'utf8');
}

interface PhpServer {
  /** Stops the whole process group (php -S forks its workers). */
  stop(): Promise<void>;
  stderrTail(): string;
  requests(): number;
}

function startPhp(stateDir: string, port: number): PhpServer {
  const child = spawn(
    'php',
    ['-d', `session.save_path=${join(stateDir, 'sessions')}`, '-S', `127.0.0.1:${port}`, '-t', join(stateDir, 'docroot')],
    {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        SIMPLESAMLPHP_CONFIG_DIR: join(stateDir, 'config'),
        PHP_CLI_SERVER_WORKERS: '4',
      },
    },
  );
  // php -S logs every request to stderr (`… [200]: GET /path`): counted, and the tail kept for error messages.
  let stderrTail = '';
  let partialLine = '';
  let requests = 0;
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stderrTail = (stderrTail + text).slice(-4000);
    const lines = (partialLine + text).split('\n');
    partialLine = lines.pop() ?? '';
    requests += lines.filter((line) => /\[\d{3}\]: [A-Z]+ \//.test(line)).length;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('php did not start');
  const forget = killGroupOnExit(pid);
  const stop = async () => {
    forget();
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await Promise.race([exited, sleep(3000)]);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // the group is gone: the normal case
    }
  };
  return { stop, stderrTail: () => stderrTail, requests: () => requests };
}

async function waitUntilServing(url: string, stateDir: string, stderrTail: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = await response.text();
      if (response.ok && body.includes('EntityDescriptor')) return;
      lastProblem = `HTTP ${response.status}: ${body.slice(0, 500)}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  const log = await readFile(join(stateDir, 'log', 'simplesamlphp.log'), 'utf8').catch(() => '');
  throw new Error(
    `SimpleSAMLphp did not serve ${url} within ${timeoutMs} ms (${lastProblem}).\nphp stderr: ${stderrTail()}\nlog: ${log.slice(-2000)}`,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
