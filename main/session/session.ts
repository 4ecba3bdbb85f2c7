import { classifyAcsUrl } from '../saml/acs.js';
import { parseSamlResponse } from '../saml/assertion.js';
import type { ParsedAssertion, SamlRole } from '../saml/types.js';
import type { StsExchange } from '../sts/assume-role.js';
import type { RoleCredentials } from '../sts/types.js';
import type { Authenticator, CapturedAssertion } from '../login/capture.js';
import { CloudtokenError, describeError } from '../support/errors.js';
import { systemClock, type Clock } from '../support/clock.js';
import { silentLogger, type Logger } from '../support/logger.js';
import { systemTimers, type TimerHandle, type Timers } from '../support/timers.js';
import { faultKindOf } from './fault-model.js';
import {
  DEFAULT_POLICY,
  clockJumped,
  expiryWarningAt,
  nextRefreshAt,
  retryAfterTransientFailure,
  type SchedulePolicy,
} from './schedule.js';
import type { RoleStatus, SessionError, SessionPhase, SessionSnapshot } from './types.js';
import { oneAtATime } from '../support/one-at-a-time.js';

/** The STS side of the session: exchange an assertion for one role's credentials. */
export type SessionSts = Pick<StsExchange, 'assumeRole'>;

export type SessionEvent =
  | { type: 'changed'; snapshot: SessionSnapshot }
  /** `sessionDurationSeconds`: the SessionDuration the assertion carried, which wins over the one asked for. */
  | { type: 'signed-in'; roles: SamlRole[]; sessionDurationSeconds?: number }
  | { type: 'refreshed'; roleArns: string[] }
  | { type: 'refresh-failed'; error: SessionError; retryAt: number | undefined }
  | { type: 'needs-sign-in'; error: SessionError }
  | { type: 'expiring'; roleArn: string; expiresAt: number }
  | { type: 'expired'; roleArn: string }
  /** The user signed out: every credential withdrawn and the IdP session forgotten. */
  | { type: 'signed-out' };

export interface RoleChoice {
  metadataRoleArn: string | undefined;
  keptActiveRoleArns: string[];
}

export interface CredentialSessionOptions {
  profileId: string;
  authenticator: Authenticator;
  sts: SessionSts;
  /** Requested credential lifetime when the assertion carries no SessionDuration. */
  sessionDurationSeconds?: number;
  policy?: SchedulePolicy;
  /** The last choice for this profile, restored after the next sign-in. */
  remembered?: Partial<RoleChoice>;
  /** Called whenever the user's role choice changes, to persist it. */
  onChoiceChanged?: (choice: RoleChoice) => void;
  clock?: Clock;
  timers?: Timers;
  random?: () => number;
  logger?: Logger;
  /**
   * How often to compare wall and monotonic clocks to notice a sleep; default once a minute. It is an idle
   * daemon's one wake-up (the tray app also hears the OS's resume): after a sleep, the refresh it was due is
   * at most this late, and nothing expired is served meanwhile, since serving checks the wall clock.
   */
  watchdogIntervalMs?: number;
}

/** An assertion is reused (role switch without a new sign-in) only while it has this much life left. */
const ASSERTION_REUSE_MARGIN_MS = 30_000;
const DEFAULT_WATCHDOG_MS = 60_000;

/** A role request the session cannot honour (not offered, or no longer offered, by the IdP). */
function toSessionError(error: unknown): SessionError {
  return { code: error instanceof CloudtokenError ? error.code : 'UNEXPECTED', message: describeError(error) };
}

/**
 * One credential session per IdP profile: signs in, holds the user's role choice, keeps the metadata role and
 * every kept-active role refreshed on schedule, and withdraws credentials at expiry. All operations run one at
 * a time (single flight), so a role switch during a refresh waits for it instead of racing it.
 */
export class CredentialSession {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly policy: SchedulePolicy;
  private readonly listeners = new Set<(event: SessionEvent) => void>();

  private phase: SessionPhase = 'signed-out';
  private assertion: ParsedAssertion | undefined;
  private acsRegion = 'us-east-1';
  private roles: SamlRole[] = [];
  private metadataRoleArn: string | undefined;
  private keptActive: string[] = [];
  private readonly credentials = new Map<string, RoleCredentials>();
  private error: SessionError | undefined;
  private lastRefreshAt: number | undefined;
  private refreshAt: number | undefined;
  private retryAttempt = 0;
  private warned = new Set<string>();

  // Every operation in turn (single flight): a role switch during a refresh waits for it.
  private readonly serialize = oneAtATime();
  private refreshTimer: TimerHandle | undefined;
  private expiryTimer: TimerHandle | undefined;
  private readonly watchdog: TimerHandle;
  private lastWall: number;
  private lastMonotonic: number;
  private disposed = false;

  constructor(private readonly options: CredentialSessionOptions) {
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    this.policy = options.policy ?? DEFAULT_POLICY;
    this.metadataRoleArn = options.remembered?.metadataRoleArn;
    this.keptActive = [...(options.remembered?.keptActiveRoleArns ?? [])];
    this.lastWall = this.clock.now();
    this.lastMonotonic = this.clock.monotonic();
    this.watchdog = this.timers.setInterval(() => this.checkForClockJump(), options.watchdogIntervalMs ?? DEFAULT_WATCHDOG_MS);
  }

  get profileId(): string {
    return this.options.profileId;
  }

  on(listener: (event: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): SessionSnapshot {
    const now = this.clock.now();
    const active: RoleStatus[] = [];
    for (const arn of this.servedRoleArns()) {
      const role = this.roles.find((r) => r.roleArn === arn) ?? this.credentials.get(arn)?.role;
      if (!role) continue;
      const held = this.validCredentials(arn, now);
      active.push({
        role,
        assumedRoleArn: held?.assumedRoleArn,
        expiresAt: held?.credentials.expiration,
        metadata: arn === this.metadataRoleArn,
        keptActive: arn !== this.metadataRoleArn,
      });
    }
    return {
      profileId: this.options.profileId,
      phase: this.phase,
      roles: [...this.roles],
      active,
      metadataRoleArn: this.metadataRoleArn,
      nextRefreshAt: this.refreshAt,
      lastRefreshAt: this.lastRefreshAt,
      error: this.error,
    };
  }

  /** Valid credentials of the metadata role, or undefined — never expired ones. */
  metadataCredentials(): RoleCredentials | undefined {
    return this.metadataRoleArn ? this.validCredentials(this.metadataRoleArn, this.clock.now()) : undefined;
  }

  /** Valid credentials of any served role (metadata or kept active). */
  credentialsFor(roleArn: string): RoleCredentials | undefined {
    return this.servedRoleArns().includes(roleArn) ? this.validCredentials(roleArn, this.clock.now()) : undefined;
  }

  /** Valid credentials of every served role. */
  servedCredentials(): RoleCredentials[] {
    const now = this.clock.now();
    return this.servedRoleArns().flatMap((arn) => this.validCredentials(arn, now) ?? []);
  }

  /**
   * Sign in and restore the remembered role when the IdP still offers it. Interactive by default (the IdP may
   * show its login page); `interactive: false` uses the IdP session only and fails with
   * InteractionRequiredError when the IdP wants the user.
   */
  signIn(options: { interactive?: boolean } = {}): Promise<SessionSnapshot> {
    return this.serialize(async () => {
      const before = this.phase;
      this.setPhase('signing-in');
      let captured: CapturedAssertion;
      try {
        captured = await this.options.authenticator.authenticate({ interactive: options.interactive ?? true });
        this.acceptAssertion(captured);
      } catch (error) {
        this.error = toSessionError(error);
        this.setPhase(this.credentials.size > 0 ? before : 'signed-out');
        throw error;
      }
      this.emit({ type: 'signed-in', roles: [...this.roles], sessionDurationSeconds: this.assertion?.sessionDuration });
      const offered = new Set(this.roles.map((r) => r.roleArn));
      this.keptActive = this.keptActive.filter((arn) => offered.has(arn));
      if (this.metadataRoleArn && !offered.has(this.metadataRoleArn)) this.metadataRoleArn = undefined;
      if (!this.metadataRoleArn && this.roles.length === 1) this.metadataRoleArn = this.roles[0]?.roleArn;
      if (!this.metadataRoleArn) {
        this.setPhase('choosing-role');
        return this.snapshot();
      }
      await this.acquire(this.servedRoleArns());
      return this.snapshot();
    });
  }

  /**
   * Make `roleArn` the metadata role. Reuses the last assertion while it is valid, otherwise signs in silently:
   * no second MFA prompt while the IdP session lives.
   */
  chooseRole(roleArn: string): Promise<SessionSnapshot> {
    return this.serialize(async () => {
      this.requireOffered(roleArn);
      const previous = this.metadataRoleArn;
      this.metadataRoleArn = roleArn;
      this.keptActive = this.keptActive.filter((arn) => arn !== roleArn);
      if (previous && previous !== roleArn && !this.keptActive.includes(previous)) this.credentials.delete(previous);
      this.rememberChoice();
      if (this.validCredentials(roleArn, this.clock.now())) {
        this.phase = 'active';
        this.schedule();
        this.emitChanged();
        return this.snapshot();
      }
      await this.acquire([roleArn]);
      return this.snapshot();
    });
  }

  /** Keep an extra role's credentials fresh too (container endpoint path, optional credentials-file profile). */
  setKeptActive(roleArn: string, keep: boolean): Promise<SessionSnapshot> {
    return this.serialize(async () => {
      this.requireOffered(roleArn);
      if (roleArn === this.metadataRoleArn) return this.snapshot();
      if (!keep) {
        this.keptActive = this.keptActive.filter((arn) => arn !== roleArn);
        this.credentials.delete(roleArn);
        this.rememberChoice();
        this.emitChanged();
        return this.snapshot();
      }
      if (!this.keptActive.includes(roleArn)) this.keptActive.push(roleArn);
      this.rememberChoice();
      if (!this.validCredentials(roleArn, this.clock.now())) await this.acquire([roleArn]);
      else this.emitChanged();
      return this.snapshot();
    });
  }

  /** Refresh every served role now, silently. */
  refreshNow(): Promise<SessionSnapshot> {
    return this.serialize(() => this.refresh());
  }

  /**
   * The shell calls this on power resume and network change; a clock jump seen by the watchdog does the same.
   * A refresh that is due, or a retry waiting out its backoff, runs at once: the network may be back.
   */
  onResume(): Promise<SessionSnapshot> {
    return this.serialize(async () => {
      this.withdrawExpired();
      const now = this.clock.now();
      const retrying = this.retryAttempt > 0 && this.refreshAt !== undefined;
      if (this.metadataRoleArn && this.refreshAt !== undefined && (now >= this.refreshAt || retrying)) return this.refresh();
      if (this.metadataRoleArn && (this.phase === 'active' || this.phase === 'expired') && !this.metadataCredentials()) {
        return this.refresh();
      }
      this.schedule();
      this.emitChanged();
      return this.snapshot();
    });
  }

  /** Withdraw every credential and forget the IdP session. */
  signOut(): Promise<SessionSnapshot> {
    return this.serialize(async () => {
      this.clearTimers();
      this.credentials.clear();
      this.assertion = undefined;
      this.roles = [];
      this.error = undefined;
      this.refreshAt = undefined;
      this.warned.clear();
      try {
        await this.options.authenticator.signOut();
      } finally {
        this.setPhase('signed-out');
        this.emit({ type: 'signed-out' });
      }
      return this.snapshot();
    });
  }

  /** Stop every timer; the session serves nothing afterwards. */
  dispose(): void {
    this.disposed = true;
    this.clearTimers();
    this.timers.clearInterval(this.watchdog);
    this.credentials.clear();
    this.listeners.clear();
  }

  // ——— internals ———


  private servedRoleArns(): string[] {
    return this.metadataRoleArn ? [this.metadataRoleArn, ...this.keptActive] : [...this.keptActive];
  }

  private validCredentials(roleArn: string, now: number): RoleCredentials | undefined {
    const held = this.credentials.get(roleArn);
    return held && held.credentials.expiration > now ? held : undefined;
  }

  private requireOffered(roleArn: string): void {
    if (!this.roles.some((role) => role.roleArn === roleArn)) {
      throw new CloudtokenError('ROLE_NOT_OFFERED', `Your identity provider does not offer the role ${roleArn}. Sign in again to see the roles it offers now.`);
    }
  }

  private acceptAssertion(captured: CapturedAssertion): void {
    // The session does not judge the assertion's age — STS does, with the IdP's clock in mind.
    const parsed = parseSamlResponse(captured.samlResponse, { allowExpired: true });
    this.assertion = parsed;
    this.roles = parsed.roles;
    this.acsRegion = classifyAcsUrl(captured.acsUrl)?.region ?? this.acsRegion;
  }

  private async freshAssertion(): Promise<ParsedAssertion> {
    const now = this.clock.now();
    const current = this.assertion;
    if (current?.notOnOrAfter !== undefined && current.notOnOrAfter - ASSERTION_REUSE_MARGIN_MS > now) return current;
    this.acceptAssertion(await this.options.authenticator.authenticate({ interactive: false }));
    return this.assertion as ParsedAssertion;
  }

  /** Obtain credentials for the given roles from a fresh (or still valid) assertion. */
  private async acquire(roleArns: string[]): Promise<void> {
    let outcome: SessionEvent | undefined;
    try {
      const assertion = await this.freshAssertion();
      outcome = await this.assumeAll(assertion, roleArns);
      this.error = undefined;
      this.retryAttempt = 0;
      this.phase = 'active';
    } catch (error) {
      outcome = this.recordFailure(error);
      throw error;
    } finally {
      // Scheduled before anything is published, so every snapshot carries the real next refresh or retry.
      this.schedule();
      this.emitChanged();
      if (outcome) this.emit(outcome);
    }
  }

  private async assumeAll(assertion: ParsedAssertion, roleArns: string[]): Promise<SessionEvent> {
    const roles = roleArns.map((arn) => {
      const role = assertion.roles.find((r) => r.roleArn === arn);
      if (!role) throw new CloudtokenError('ROLE_WITHDRAWN', `Your identity provider no longer offers the role ${arn}.`);
      return role;
    });
    const results = await Promise.allSettled(
      roles.map((role) =>
        this.options.sts.assumeRole({
          role,
          samlResponse: assertion.samlResponse,
          sessionDuration: assertion.sessionDuration ?? this.options.sessionDurationSeconds,
          region: this.acsRegion,
        }),
      ),
    );
    let firstError: unknown;
    for (const result of results) {
      if (result.status === 'fulfilled') {
        // Swapped as a whole object, so readers never see half of an old and half of a new set.
        this.credentials.set(result.value.role.roleArn, result.value);
        this.warned.delete(result.value.role.roleArn);
      } else {
        firstError ??= result.reason;
      }
    }
    this.lastRefreshAt = this.clock.now();
    if (firstError !== undefined) throw firstError;
    return { type: 'refreshed', roleArns };
  }

  private async refresh(): Promise<SessionSnapshot> {
    if (this.disposed || !this.metadataRoleArn) return this.snapshot();
    // Due now, so no longer "next": the outcome sets the next refresh or retry.
    this.refreshAt = undefined;
    this.setPhase('refreshing');
    try {
      // A refresh always goes back to the IdP: the old assertion would only renew what it already gave.
      this.assertion = undefined;
      await this.acquire(this.servedRoleArns());
    } catch (error) {
      this.logger.warn('Refresh failed', { code: toSessionError(error).code, message: describeError(error) });
    }
    return this.snapshot();
  }

  /** Records a failure by its fault kind; returns the event to publish once the schedule is set. */
  private recordFailure(error: unknown): SessionEvent {
    const sessionError = toSessionError(error);
    this.error = sessionError;
    const kind = faultKindOf(error);
    if (kind === 'needs-user') {
      // Whatever is still valid keeps being served until it expires.
      this.phase = 'needs-sign-in';
      this.refreshAt = undefined;
      return { type: 'needs-sign-in', error: sessionError };
    }
    if (kind === 'retryable') {
      this.retryAttempt += 1;
      this.refreshAt = retryAfterTransientFailure(this.retryAttempt, this.clock.now(), this.policy, this.random());
      // Valid credentials keep being served; once none are left the retries go on, to recover when the network does.
      if (this.metadataRoleArn) this.phase = this.metadataCredentials() ? 'active' : 'expired';
      return { type: 'refresh-failed', error: sessionError, retryAt: this.refreshAt };
    }
    this.refreshAt = undefined;
    this.phase = 'failed';
    return { type: 'refresh-failed', error: sessionError, retryAt: undefined };
  }

  /** Set the refresh, expiry and warning timers from the current state. */
  private schedule(): void {
    this.clearTimers();
    if (this.disposed) return;
    const now = this.clock.now();
    const metadata = this.metadataCredentials();
    const canRefreshSilently = this.phase === 'active' || this.phase === 'refreshing' || this.phase === 'expired';
    if (metadata && canRefreshSilently && this.error === undefined) {
      this.refreshAt = nextRefreshAt(metadata.obtainedAt, metadata.credentials.expiration, this.policy, this.random());
    } else if (!canRefreshSilently) {
      this.refreshAt = undefined;
    }
    // Otherwise a retry set by recordFailure stands.
    if (this.refreshAt !== undefined) {
      this.refreshTimer = this.timers.setTimeout(() => void this.serialize(() => this.refresh()), this.refreshAt - now);
    }
    this.scheduleExpiry(now);
  }

  private scheduleExpiry(now: number): void {
    let next: number | undefined;
    for (const arn of this.servedRoleArns()) {
      const held = this.validCredentials(arn, now);
      if (!held) continue;
      const expiresAt = held.credentials.expiration;
      const warnAt = expiryWarningAt(expiresAt, this.policy);
      // "Cannot be renewed without you" is said only when true: no silent refresh or retry is pending at all.
      const willRenew = this.refreshAt !== undefined;
      if (!willRenew && !this.warned.has(arn)) {
        if (now >= warnAt) {
          this.warned.add(arn);
          this.emit({ type: 'expiring', roleArn: arn, expiresAt });
        } else {
          next = Math.min(next ?? warnAt, warnAt);
        }
      }
      next = Math.min(next ?? expiresAt, expiresAt);
    }
    if (next !== undefined) {
      this.expiryTimer = this.timers.setTimeout(() => {
        this.withdrawExpired();
        this.scheduleExpiry(this.clock.now());
      }, next - now);
    }
  }

  private withdrawExpired(): void {
    const now = this.clock.now();
    let changed = false;
    for (const [arn, held] of this.credentials) {
      if (held.credentials.expiration <= now) {
        this.credentials.delete(arn);
        changed = true;
        this.emit({ type: 'expired', roleArn: arn });
      }
    }
    if (!changed) return;
    if (this.metadataRoleArn && !this.metadataCredentials() && this.phase !== 'needs-sign-in' && this.phase !== 'refreshing') {
      this.setPhase('expired');
    } else {
      this.emitChanged();
    }
  }

  private checkForClockJump(): void {
    const wall = this.clock.now();
    const monotonic = this.clock.monotonic();
    const jumped = clockJumped(wall - this.lastWall, monotonic - this.lastMonotonic);
    this.lastWall = wall;
    this.lastMonotonic = monotonic;
    if (jumped) {
      this.logger.info('The clock jumped (sleep or time change): re-evaluating credentials');
      void this.onResume();
    }
  }

  private clearTimers(): void {
    if (this.refreshTimer !== undefined) this.timers.clearTimeout(this.refreshTimer);
    if (this.expiryTimer !== undefined) this.timers.clearTimeout(this.expiryTimer);
    this.refreshTimer = undefined;
    this.expiryTimer = undefined;
  }

  private rememberChoice(): void {
    this.options.onChoiceChanged?.({ metadataRoleArn: this.metadataRoleArn, keptActiveRoleArns: [...this.keptActive] });
  }

  private setPhase(phase: SessionPhase): void {
    this.phase = phase;
    this.emitChanged();
  }

  private emitChanged(): void {
    this.emit({ type: 'changed', snapshot: this.snapshot() });
  }

  private emit(event: SessionEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error('A session listener failed', { message: describeError(error) });
      }
    }
  }
}

export function createCredentialSession(options: CredentialSessionOptions): CredentialSession {
  return new CredentialSession(options);
}
