/**
 * Applies an AliasPlan through a Runner: checks first (unprivileged), prompts only when something is
 * missing, does every step in one elevated run, and verifies the result. Every failure is a typed
 * CloudtokenError the caller answers by serving on loopback and showing `fallbackAdvice`.
 */
import type { Logger } from '../support/logger.js';
import { silentLogger } from '../support/logger.js';
import { METADATA_PORT, type AliasPlan } from './alias-plan.js';
import { parseAddresses, parseListeners, type InterfaceAddress, type Listener } from './check-parsers.js';
import { AliasConflictError, aliasNotEffectiveError } from './errors.js';
import type { RedirectProbe, RedirectState } from './probe.js';
import type { Runner } from './runner.js';

/** `absent` means nothing of ours is left (another tool's wider alias may remain); `partial` is anything between. */
export type AliasState = 'present' | 'absent' | 'partial';

export interface AliasStatus {
  readonly state: AliasState;
  /** The address is on the loopback interface, so local clients reach it (any prefix will do). */
  readonly address: boolean;
  /** It is there as the /32 our set-up adds (which revert removes; a wider one belongs to another tool). */
  readonly exactAddress: boolean;
  /** Port 80 on the address reaches the listen port. */
  readonly redirect: RedirectState;
  /** Who else holds the address or its port 80, in words for the user. */
  readonly conflicts: readonly string[];
}

export interface AliasManager {
  status(): Promise<AliasStatus>;
  /** Makes the set-up present; `changed` is false when it already was (no prompt then). */
  ensure(): Promise<{ changed: boolean; status: AliasStatus }>;
  /** Removes our set-up; `changed` is false when there was nothing to remove (no prompt then). */
  revert(): Promise<{ changed: boolean; status: AliasStatus }>;
}

export interface AliasManagerOptions {
  readonly runner: Runner;
  readonly plan: AliasPlan;
  readonly probe: RedirectProbe;
  readonly logger?: Logger;
  /** Processes that are us (the credential server) and so never a conflict. */
  readonly ownPids?: readonly number[];
}

export function createAliasManager(options: AliasManagerOptions): AliasManager {
  const { runner, plan, probe } = options;
  const logger = options.logger ?? silentLogger;
  const ownPids = new Set(options.ownPids ?? [process.pid]);
  // Concurrent callers of the same kind share one run, so two clicks never mean two prompts; runs of
  // different kinds wait for each other.
  const pending = new Map<'apply' | 'revert', Promise<{ changed: boolean; status: AliasStatus }>>();
  let tail: Promise<unknown> = Promise.resolve();

  async function status(): Promise<AliasStatus> {
    const addresses = await readAddresses();
    // On loopback with any prefix (aws-vault leaves a /24 or /16 behind) the address is local and usable;
    // on any other interface it belongs to a VPN, a container network or a real metadata service.
    const onLoopback = (entry: InterfaceAddress) => entry.interface === plan.loopbackInterface;
    const matching = addresses.filter((entry) => entry.address === plan.address);
    const address = matching.some(onLoopback);
    const exactAddress = matching.some((entry) => onLoopback(entry) && (entry.prefixLength ?? 32) === 32);
    const conflicts = matching.filter((entry) => !onLoopback(entry)).map(describeAddress);
    const redirect: RedirectState = address ? await probe() : 'absent';
    if (redirect !== 'present') conflicts.push(...(await readListeners()).map(describeListener));
    const state: AliasState =
      address && redirect === 'present' ? 'present' : !exactAddress && redirect === 'absent' ? 'absent' : 'partial';
    return { state, address, exactAddress, redirect, conflicts };
  }

  async function readAddresses(): Promise<InterfaceAddress[]> {
    const result = await runner.run(plan.addressCheck);
    if (result.code !== 0) logger.warn('network: address check failed', { command: plan.addressCheck.join(' '), code: result.code });
    return parseAddresses(plan.platform, result.stdout);
  }

  async function readListeners(): Promise<Listener[]> {
    const result = await runner.run(plan.listenerCheck);
    // lsof exits 1 when nothing matches; any output it has is still meaningful.
    if (result.code !== 0 && result.stdout === '') return [];
    return parseListeners(plan.platform, result.stdout).filter(
      (listener) =>
        listener.address === plan.address &&
        listener.port === METADATA_PORT &&
        !listener.processes.some((owner) => ownPids.has(owner.pid)),
    );
  }

  async function run(kind: 'apply' | 'revert'): Promise<{ changed: boolean; status: AliasStatus }> {
    const before = await status();
    const target: AliasState = kind === 'apply' ? 'present' : 'absent';
    if (before.state === target) return { changed: false, status: before };
    if (kind === 'apply' && before.conflicts.length > 0) throw new AliasConflictError(before.conflicts);
    logger.info(`network: ${kind} the 169.254.169.254 set-up`, { state: before.state, port: plan.listenPort });
    await runner.runElevated(plan[kind], `${kind === 'apply' ? 'Serve' : 'Stop serving'} AWS credentials on 169.254.169.254`);
    const after = await status();
    if (after.state !== target) throw aliasNotEffectiveError(target, after.state);
    return { changed: true, status: after };
  }

  function once(kind: 'apply' | 'revert') {
    const existing = pending.get(kind);
    if (existing) return existing;
    const next = tail
      .catch(() => undefined)
      .then(() => run(kind))
      .finally(() => pending.delete(kind));
    pending.set(kind, next);
    tail = next;
    return next;
  }

  return { status, ensure: () => once('apply'), revert: () => once('revert') };
}

function describeAddress(entry: InterfaceAddress): string {
  const prefix = entry.prefixLength === undefined ? '' : `/${entry.prefixLength}`;
  return `${entry.address}${prefix} is assigned to interface ${entry.interface}`;
}

function describeListener(listener: Listener): string {
  const who =
    listener.processes.length === 0
      ? 'a process this user cannot see (another user or root)'
      : listener.processes.map((p) => (p.name ? `${p.name} (pid ${p.pid})` : `pid ${p.pid}`)).join(', ');
  return `${listener.address}:${listener.port} is served by ${who}`;
}
