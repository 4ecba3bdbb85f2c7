import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudtokenProcess, runCloudtoken, type CliResult } from '../support/cli.js';
import { freePort } from '../support/free-ports.js';
import { startFaultProxy, type FaultProxy, type ProxyFault } from '../support/fault-proxy.js';
import { ALICE, startIdp, type RunningIdp } from '../support/idp/index.js';
import { judgePolls, startMetadataPoller, type MetadataPoll, type PollVerdict } from '../support/metadata-poller.js';
import { startStsStandIn, type StandInFault, type StsStandIn } from '../support/sts/stand-in.js';

/**
 * The real `cloudtoken daemon --imds loopback` against SimpleSAMLphp and the STS stand-in, each behind a fault
 * proxy, with faults injected while a client polls the metadata service with IMDSv2 twice a second. Every
 * poll is recorded and judged (test/support/metadata-poller.ts: never an expired key, never a key STS did
 * not issue, never an older key after a newer one, a 404 only once the last key served has expired).
 *
 * The daemon runs its real schedule: the stand-in issues credentials of a minute or so, which the daemon
 * refreshes at half their life (30 s at the least) and retries 15 s (±20 %) after a first network failure.
 * The cases run at the same time, each with its own home, port and STS, so the suite takes about as long
 * as its longest case.
 */
const SECOND = 1000;
const POLL_MS = 500;
const ROLE = 'Developer';
const ROLE_ARN = 'arn:aws:iam::111111111111:role/Developer';
/** The daemon's first retry after a failed refresh: 15 s ± 20 % (main/session/schedule.ts DEFAULT_POLICY). */
const FIRST_RETRY = { min: 12 * SECOND, max: 18 * SECOND };
/** Room for a refresh's own round trips (sign-in pages, STS) and two polls, on a loaded two-core machine. */
const SLACK = 3 * SECOND;

const idps: RunningIdp[] = [];
const proxies: FaultProxy[] = [];
let sharedIdp: RunningIdp;

/** SimpleSAMLphp behind its own fault proxy: a case that breaks the IdP breaks only its own. */
async function idpBehindProxy(): Promise<{ idp: RunningIdp; proxy: FaultProxy }> {
  const proxy = await startFaultProxy();
  proxies.push(proxy);
  const idp = await startIdp({ frontPort: proxy.port });
  idps.push(idp);
  proxy.targetPort = idp.listenPort;
  return { idp, proxy };
}

interface Line {
  at: number;
  text: string;
}

interface DaemonCase {
  name: string;
  home: string;
  standIn: StsStandIn;
  stsProxy: FaultProxy;
  daemon: CloudtokenProcess;
  lines: Line[];
  /** When the daemon's first credentials were issued (their expiry less their lifetime). */
  issuedAt: number;
  /** Their expiry as served (whole seconds, as the metadata service's `Expiration`). */
  expiresAt: number;
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<Line>;
  /** Polls until `until` holds; then judges every poll. */
  pollUntil(until: (polls: readonly MetadataPoll[]) => boolean, timeoutMs: number): Promise<PollVerdict & { polls: readonly MetadataPoll[] }>;
  stop(): Promise<void>;
}

const cases: DaemonCase[] = [];

/** A daemon signed in with the form (password on stdin), serving `Developer` on loopback, with its own STS. */
async function startDaemonCase(name: string, idp: RunningIdp, lifetimeSeconds: number, prepare?: (home: string) => Promise<void>): Promise<DaemonCase> {
  const standIn = await startStsStandIn({
    providers: [{ arn: 'arn:aws:iam::111111111111:saml-provider/CloudtokenTestIdP', issuer: idp.entityId, certificates: [idp.certificatePem] }],
    credentialLifetimeSeconds: lifetimeSeconds,
  });
  const stsProxy = await startFaultProxy({ targetPort: Number(new URL(standIn.url).port) });
  const home = await mkdtemp(join(tmpdir(), `cloudtoken-daemon-faults-${name}-`));
  await prepare?.(home);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    CLOUDTOKEN_HOME: join(home, 'state'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const daemon = new CloudtokenProcess(
    ['daemon', '--idp-url', idp.signInUrl, '--form', '--username', 'alice', '--password-stdin', '--role', ROLE, '--imds', 'loopback', '--port', String(port), '--sts-endpoint', stsProxy.url],
    env,
    `${ALICE.password}\n`,
  );
  const lines: Line[] = [];
  let partial = '';
  const note = (chunk: string) => {
    const at = Date.now();
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) lines.push({ at, text });
  };
  daemon.child.stdout.on('data', note);
  daemon.child.stderr.on('data', note);

  const stop = async () => {
    await daemon.stop('SIGINT');
    await stsProxy.close();
    await standIn.close();
    await rm(home, { recursive: true, force: true });
  };
  try {
    await daemon.waitFor(/Metadata proxy now available on http:\/\/127\.0\.0\.1:\d+\//, 45 * SECOND);
  } catch (error) {
    await stop();
    throw error;
  }
  const first = standIn.issued[0];
  if (!first) throw new Error(`${name}: the daemon serves, yet STS issued nothing`);
  const poller = await startMetadataPoller(`http://127.0.0.1:${port}/`, ROLE, POLL_MS);
  await waitUntil(() => poller.polls.length > 0, 5 * SECOND, `${name}: no first poll`);
  const expiresAt = poller.polls[0]?.expiresAt;
  if (expiresAt === undefined) throw new Error(`${name}: the first poll got ${poller.polls[0]?.status}, not credentials`);
  const daemonCase: DaemonCase = {
    name,
    home,
    standIn,
    stsProxy,
    daemon,
    lines,
    issuedAt: first.expiration - lifetimeSeconds * SECOND,
    expiresAt,
    async waitForLine(pattern, timeoutMs) {
      await daemon.waitFor(pattern, timeoutMs);
      const line = lines.find((l) => pattern.test(l.text));
      if (!line) throw new Error(`${name}: matched ${pattern} but saw no whole line`);
      return line;
    },
    async pollUntil(until, timeoutMs) {
      await waitUntil(() => until(poller.polls), timeoutMs, `${name}: the polls never showed what was awaited`);
      await poller.stop();
      const polls = poller.polls;
      return { ...judgePolls(polls, new Set(standIn.issued.map((record) => record.accessKeyId))), polls };
    },
    async stop() {
      await poller.stop();
      await stop();
    },
  };
  cases.push(daemonCase);
  return daemonCase;
}

/** Resolves once `condition` holds, checked every 100 ms (expect.poll is not for concurrent tests). */
async function waitUntil(condition: () => boolean, timeoutMs: number, failure: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(failure);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs every case to its end and fails with all their failures, by name, not only the first. */
async function allCases(runs: Array<[string, () => Promise<void>]>): Promise<void> {
  const results = await Promise.allSettled(runs.map(([, run]) => run()));
  const failed = results.flatMap((result, index) => (result.status === 'rejected' ? [`${runs[index]?.[0]}: ${String((result.reason as Error)?.message ?? result.reason)}`] : []));
  expect(failed).toEqual([]);
}

const statuses = (polls: readonly MetadataPoll[]) => [...new Set(polls.map((p) => p.status))];
const servedAfter = (key: string | undefined) => (polls: readonly MetadataPoll[]) => polls.some((p) => p.status === 200 && p.accessKeyId !== key) && polls.at(-1)?.status === 200 && polls.at(-1)?.accessKeyId !== key;

beforeAll(async () => {
  sharedIdp = await startIdp();
  idps.push(sharedIdp);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(cases.map((c) => c.stop()));
  await Promise.allSettled(idps.map((idp) => idp.stop()));
  await Promise.allSettled(proxies.map((proxy) => proxy.close()));
});

describe.concurrent('the daemon under faults, judged at every metadata poll', () => {
  /**
   * A fault that trying again can outlast: injected before the scheduled refresh, lifted as soon as the daemon
   * reports the failure. The old credentials are served at every poll until the retry brings new ones, which
   * happens within the first backoff; there is never a 404, an error status or an expired key.
   */
  interface TransientFault {
    name: string;
    lifetimeSeconds: number;
    /** The IdP of this case, when the fault is the IdP's. */
    idp?: () => Promise<{ idp: RunningIdp; proxy: FaultProxy }>;
    inject(c: DaemonCase, idpProxy: FaultProxy | undefined): Promise<void> | void;
    lift(c: DaemonCase, idpProxy: FaultProxy | undefined): Promise<void> | void;
    /** What the daemon's failure line must say. */
    says: RegExp;
  }
  const stsFault = (fault: StandInFault) => ({
    inject: (c: DaemonCase) => c.standIn.setFault(fault),
    lift: (c: DaemonCase) => c.standIn.setFault(undefined),
  });
  const wireFault = (fault: ProxyFault) => ({
    inject: (c: DaemonCase) => c.stsProxy.setFault(fault),
    lift: (c: DaemonCase) => c.stsProxy.setFault({ kind: 'pass' }),
  });
  const TRANSIENT: TransientFault[] = [
    {
      name: 'idp-refused',
      lifetimeSeconds: 60,
      idp: idpBehindProxy,
      inject: (_c, proxy) => proxy?.setFault({ kind: 'refuse' }),
      lift: (_c, proxy) => proxy?.setFault({ kind: 'pass' }),
      says: /Could not reach the identity provider at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    },
    { name: 'sts-5xx', lifetimeSeconds: 60, ...stsFault({ kind: 'internal' }), says: /AWS STS at \S+ had an internal error/ },
    { name: 'sts-throttling', lifetimeSeconds: 60, ...stsFault({ kind: 'throttling' }), says: /AWS STS is throttling requests/ },
    { name: 'sts-refused', lifetimeSeconds: 60, ...wireFault({ kind: 'refuse' }), says: /Could not reach http:\/\/127\.0\.0\.1:\d+.*ECONNREFUSED/ },
    { name: 'sts-reset', lifetimeSeconds: 60, ...wireFault({ kind: 'reset' }), says: /Could not reach http:\/\/127\.0\.0\.1:\d+.*ECONNRESET/ },
    // A hung STS costs the refresh its 20 s request timeout before the retry is scheduled: longer credentials.
    { name: 'sts-hang', lifetimeSeconds: 90, ...wireFault({ kind: 'hang' }), says: /Could not reach http:\/\/127\.0\.0\.1:\d+|timed out|timeout/i },
  ];

  it('IdP refused and STS 5xx, throttling, refused, reset and hung: old keys served until the first retry renews them', { timeout: 150_000 }, async () => {
    await allCases(
      TRANSIENT.map((fault) => [
        fault.name,
        async () => {
          const own = await fault.idp?.();
          const c = await startDaemonCase(fault.name, own?.idp ?? sharedIdp, fault.lifetimeSeconds);
          const oldKey = c.standIn.issued[0]?.accessKeyId;
          await fault.inject(c, own?.proxy);
          const failed = await c.waitForLine(/Refresh failed: /, (fault.lifetimeSeconds / 2 + 30) * SECOND);
          await fault.lift(c, own?.proxy);
          const verdict = await c.pollUntil(servedAfter(oldKey), 30 * SECOND);
          const newKey = verdict.keys[1] as string;

          expect(verdict.violations).toEqual([]);
          expect(statuses(verdict.polls)).toEqual([200]);
          expect(verdict.keys).toEqual([oldKey, newKey]);
          // The failure was the scheduled refresh at half the lifetime, and the daemon said what and when next.
          expect(failed.at - c.issuedAt).toBeGreaterThanOrEqual((fault.lifetimeSeconds / 2 - 1) * SECOND);
          expect(failed.text).toMatch(fault.says);
          expect(failed.text).toMatch(/Retrying at \d\d?:\d\d:\d\d( [AP]M)?\.$/);
          // The new key came with the first retry: not before the backoff, not after it.
          const renewedAfter = (verdict.firstServedAt.get(newKey) ?? 0) - failed.at;
          expect(renewedAfter).toBeGreaterThanOrEqual(FIRST_RETRY.min - SECOND);
          expect(renewedAfter).toBeLessThanOrEqual(FIRST_RETRY.max + SLACK);
          expect(c.standIn.issued.at(-1)?.accessKeyId).toBe(newKey);
          expect(c.daemon.output).not.toMatch(/cannot be renewed without you|expired and are no longer served/);
          await c.stop();
        },
      ]),
    );
  });

  it('STS access denied is permanent: no retry, the daemon says the key cannot be renewed, serves it to its expiry, then 404', { timeout: 120_000 }, async () => {
    const lifetimeSeconds = 40;
    const c = await startDaemonCase('sts-denied', sharedIdp, lifetimeSeconds);
    const key = c.standIn.issued[0]?.accessKeyId;
    const { expiresAt } = c;
    c.standIn.setFault({ kind: 'accessDenied' });
    const failed = await c.waitForLine(/Refresh failed: /, 45 * SECOND);
    const attemptsAfterFailure = () => c.standIn.requests.filter((r) => r.action === 'AssumeRoleWithSAML').length;
    const attempts = attemptsAfterFailure();
    const warned = await c.waitForLine(/cannot be renewed without you/, 5 * SECOND);
    const expired = await c.waitForLine(/expired and are no longer served/, 30 * SECOND);
    // Six more polls past expiry, time enough for any retry to show up.
    const verdict = await c.pollUntil((polls) => polls.filter((p) => p.sentAt > expiresAt + SECOND).length >= 6, 30 * SECOND);

    expect(verdict.violations).toEqual([]);
    expect(verdict.keys).toEqual([key]);
    const served = verdict.polls.filter((p) => p.status === 200);
    const notFound = verdict.polls.filter((p) => p.status === 404);
    expect(statuses(verdict.polls)).toEqual([200, 404]);
    // The old key to its last second, then nothing: every poll after the expiry is a 404.
    expect(served.at(-1)?.sentAt).toBeGreaterThan(expiresAt - 2 * SECOND);
    expect(verdict.polls.filter((p) => p.sentAt >= expiresAt).every((p) => p.status === 404)).toBe(true);
    expect(notFound.length).toBeGreaterThanOrEqual(6);
    expect(failed.text).toMatch(/Refresh failed: AWS did not let you assume arn:aws:iam::111111111111:role\/Developer/);
    expect(failed.text).not.toMatch(/Retrying at/);
    expect(warned.text).toContain(`Credentials for ${ROLE_ARN} expire at`);
    expect(expired.at).toBeGreaterThanOrEqual(expiresAt);
    expect(attemptsAfterFailure()).toBe(attempts);
  });

  it('an outage of IdP and STS longer than the credentials’ life: the key until its expiry, 404 after, new keys on return', { timeout: 120_000 }, async () => {
    const lifetimeSeconds = 35;
    const { idp, proxy: idpProxy } = await idpBehindProxy();
    const c = await startDaemonCase('outage', idp, lifetimeSeconds);
    const oldKey = c.standIn.issued[0]?.accessKeyId;
    const { expiresAt } = c;
    const outageFrom = Date.now();
    await Promise.all([idpProxy.setFault({ kind: 'refuse' }), c.stsProxy.setFault({ kind: 'refuse' })]);
    const failed = await c.waitForLine(/Refresh failed: /, 40 * SECOND);
    await c.waitForLine(/expired and are no longer served/, 20 * SECOND);
    await waitUntil(() => Date.now() - outageFrom > lifetimeSeconds * SECOND, 10 * SECOND, 'the outage did not outlast the credentials');
    const outageTo = Date.now();
    await Promise.all([idpProxy.setFault({ kind: 'pass' }), c.stsProxy.setFault({ kind: 'pass' })]);
    const verdict = await c.pollUntil(servedAfter(oldKey), 30 * SECOND);
    const newKey = verdict.keys[1] as string;

    expect(verdict.violations).toEqual([]);
    expect(verdict.keys).toEqual([oldKey, newKey]);
    // In order: the old key up to its expiry, 404 from then until the network came back, then the new key.
    const phases = verdict.polls.map((p) => (p.status === 200 ? p.accessKeyId : String(p.status)));
    const runs = phases.filter((phase, index) => phase !== phases[index - 1]);
    expect(runs).toEqual([oldKey, '404', newKey]);
    const notFound = verdict.polls.filter((p) => p.status === 404);
    expect(notFound[0]?.receivedAt).toBeGreaterThanOrEqual(expiresAt);
    expect(notFound[0]?.sentAt).toBeLessThan(expiresAt + 2 * POLL_MS);
    expect(notFound.at(-1)?.sentAt).toBeGreaterThan(outageTo - POLL_MS);
    // Renewed by the retry after the one that failed at the refresh, within its backoff.
    const renewedAfter = (verdict.firstServedAt.get(newKey) ?? 0) - failed.at;
    expect(renewedAfter).toBeLessThanOrEqual(FIRST_RETRY.max + SLACK);
    expect(c.daemon.output).toMatch(/Credentials refreshed/);
    expect(c.daemon.output).not.toMatch(/cannot be renewed without you/);
  });

  it('at start the daemon removes what a crashed write left of its files, and only that', { timeout: 60_000 }, async () => {
    const leftovers = {
      credentials: join('.aws', '.credentials.cloudtoken-0123456789ab.tmp'),
      limits: join('state', '.sts-duration-limits.json.0123456789ab.tmp'),
      settings: join('state', '.settings.json.0123456789ab.tmp'),
    };
    // A write in progress in another process right now: not the daemon's to remove.
    const live = join('.aws', '.credentials.cloudtoken-ba9876543210.tmp');
    const c = await startDaemonCase('sweep', sharedIdp, 900, async (home) => {
      await mkdir(join(home, '.aws'), { recursive: true });
      await mkdir(join(home, 'state'), { recursive: true });
      const longAgo = new Date(Date.now() - 5 * 60 * SECOND);
      for (const path of [...Object.values(leftovers), live]) await writeFile(join(home, path), '[default]\naws_access_key_id = AKIAUSERSOWNKEY\naws_secret_access_key = secret\n');
      for (const path of Object.values(leftovers)) await utimes(join(home, path), longAgo, longAgo);
    });
    const present = async (path: string) => stat(join(c.home, path)).then(() => true, () => false);
    expect(Object.fromEntries(await Promise.all(Object.entries(leftovers).map(async ([kind, path]) => [kind, await present(path)])))).toEqual({
      credentials: false,
      limits: false,
      settings: false,
    });
    expect(await present(live)).toBe(true);
    await c.stop();
  });

  it('a read-only state folder: the daemon stops before the sign-in with a clear error, and the IdP and STS see nothing', { timeout: 60_000 }, async (context) => {
    if (process.getuid?.() !== 0) return context.skip('a read-only mount needs root (unshare -m)');
    const home = await mkdtemp(join(tmpdir(), 'cloudtoken-daemon-faults-ro-'));
    const state = join(home, 'state');
    await mkdir(state);
    const proxy = await startFaultProxy({ targetPort: sharedIdp.listenPort });
    proxies.push(proxy);
    const standIn = await startStsStandIn({ providers: [] });
    try {
      const result = await readOnlyStateDaemon(state, [
        'daemon', '--idp-url', `${proxy.url}/simplesaml/saml2/idp/SSOService.php?spentityid=urn:amazon:webservices`, '--form', '--username', 'alice', '--password-stdin',
        '--role', ROLE, '--imds', 'loopback', '--port', String(await freePort()), '--sts-endpoint', standIn.url,
      ], { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CLOUDTOKEN_HOME: state, AWS_EC2_METADATA_DISABLED: 'true' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `Cloudtoken cannot save its state in ${state}: it is on a read-only file system. Nothing was signed in. Make the folder writable, or set CLOUDTOKEN_HOME to one that is.`,
      );
      expect(result.stderr).not.toMatch(/EROFS: read-only file system, open/);
      expect(proxy.connections.pass).toBe(0);
      expect(standIn.requests).toEqual([]);
    } finally {
      await standIn.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});

/**
 * Runs `cloudtoken args…` in a private mount namespace where `state` is a read-only tmpfs — a real EROFS, which
 * root's permission checks cannot bypass as they bypass a chmod.
 */
function readOnlyStateDaemon(state: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  const script = 'mount -t tmpfs -o size=1m tmpfs "$1" && mount -o remount,ro "$1" && shift && exec "$@"';
  return runCloudtoken(args, env, `${ALICE.password}\n`, ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', state]);
}
