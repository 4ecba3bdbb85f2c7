// 169.254.169.254 appears here only as text; no traffic goes to it (real traffic to it happens only inside a
// network namespace a test creates with unshare — see test/support/netns.ts).
import { describe, expect, it } from 'vitest';
import { createAliasManager } from '../../../main/network/alias.js';
import { createAliasPlan, type AliasPlatform, type ElevatedScript } from '../../../main/network/alias-plan.js';
import {
  AdminCommandFailedError,
  adminPromptCancelledError,
  AliasConflictError,
} from '../../../main/network/errors.js';
import { CloudtokenError } from '../../../main/support/errors.js';
import type { RedirectState } from '../../../main/network/probe.js';
import type { CommandResult, Runner } from '../../../main/network/runner.js';
import { establishServingMode } from '../../../main/network/serving-mode.js';
import { createLogger } from '../../../main/support/logger.js';

const PORT = 9911;

/**
 * A small typed stand-in for one machine: what its check commands print follows its state, and the elevated
 * scripts change that state. What the user does at the prompt is the `prompt` setting.
 */
function fakeMachine(platform: AliasPlatform = 'linux', initial: { address?: boolean; redirect?: boolean } = {}) {
  const plan = createAliasPlan({ platform, port: PORT });
  const state = {
    address: initial.address ?? false,
    redirect: initial.redirect ?? false,
    otherAddresses: [] as string[],
    listeners: [] as string[],
    prompt: 'allow' as 'allow' | 'cancel' | 'fail' | 'no-effect',
    elevated: [] as { script: ElevatedScript; reason: string }[],
  };
  const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: '' });
  const runner: Runner = {
    async run(argv) {
      if (argv.join(' ') === plan.addressCheck.join(' ')) return ok(addressOutput(platform, state.address, state.otherAddresses));
      if (argv.join(' ') === plan.listenerCheck.join(' ')) return ok(state.listeners.join('\n'));
      return { code: 127, stdout: '', stderr: 'unexpected command' };
    },
    async runElevated(script, reason) {
      state.elevated.push({ script, reason });
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (state.prompt === 'cancel') throw adminPromptCancelledError();
      if (state.prompt === 'fail') throw new AdminCommandFailedError(10, 'RTNETLINK answers: Operation not permitted');
      if (state.prompt === 'allow') {
        const on = script === plan.apply;
        state.address = on;
        state.redirect = on;
      }
      return ok('');
    },
  };
  const probe = async (): Promise<RedirectState> => (state.address && state.redirect ? 'present' : 'absent');
  const logs: string[] = [];
  const manager = createAliasManager({ runner, plan, probe, logger: createLogger({ level: 'debug', sink: (line) => logs.push(line) }) });
  return { plan, state, manager, logs };
}

/** What each OS's address check prints for a loopback interface with or without our /32. */
function addressOutput(platform: AliasPlatform, ours: boolean, others: readonly string[]): string {
  if (platform === 'darwin') {
    return ['lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384', '\tinet 127.0.0.1 netmask 0xff000000', ...(ours ? ['\tinet 169.254.169.254 netmask 0xffffffff'] : []), ...others].join('\n');
  }
  if (platform === 'win32') {
    return ['Configuration for interface "Loopback Pseudo-Interface 1"', '    IP Address:   127.0.0.1', ...(ours ? ['    IP Address:   169.254.169.254'] : []), ...others].join('\r\n');
  }
  const line = (address: string) => `1: lo    inet ${address} scope host lo\\       valid_lft forever preferred_lft forever`;
  return [line('127.0.0.1/8'), ...(ours ? [line('169.254.169.254/32')] : []), ...others].join('\n');
}

describe('createAliasManager', () => {
  it('reports absent, applies everything in one elevated run, then reports present', async () => {
    const { plan, state, manager } = fakeMachine();
    expect(await manager.status()).toEqual({ state: 'absent', address: false, exactAddress: false, redirect: 'absent', conflicts: [] });
    const result = await manager.ensure();
    expect(result).toEqual({ changed: true, status: { state: 'present', address: true, exactAddress: true, redirect: 'present', conflicts: [] } });
    expect(state.elevated).toHaveLength(1);
    expect(state.elevated[0]!.script).toBe(plan.apply);
    expect(state.elevated[0]!.reason).toMatch(/169\.254\.169\.254/);
  });

  it('prompts at most once: applying again, or many times at once, changes nothing', async () => {
    const { state, manager } = fakeMachine();
    const results = await Promise.all([manager.ensure(), manager.ensure(), manager.ensure()]);
    expect(results.map((r) => r.changed)).toEqual([true, true, true]);
    expect(state.elevated).toHaveLength(1);
    expect(await manager.ensure()).toMatchObject({ changed: false, status: { state: 'present' } });
    expect(state.elevated).toHaveLength(1);
  });

  it('does not prompt when everything is already there', async () => {
    const { state, manager } = fakeMachine('darwin', { address: true, redirect: true });
    expect(await manager.ensure()).toMatchObject({ changed: false });
    expect(state.elevated).toHaveLength(0);
  });

  it('completes a partial set-up (address without redirect)', async () => {
    const { plan, state, manager } = fakeMachine('linux', { address: true });
    expect(await manager.status()).toMatchObject({ state: 'partial', address: true, exactAddress: true, redirect: 'absent' });
    await manager.ensure();
    expect(state.elevated.map((e) => e.script)).toEqual([plan.apply]);
  });

  it('takes an alias another tool left on loopback with a wider prefix as usable, not as a conflict', async () => {
    const { plan, state, manager } = fakeMachine();
    state.otherAddresses.push('1: lo    inet 169.254.169.254/24 scope global lo:0\\       valid_lft forever preferred_lft forever');
    expect(await manager.status()).toEqual({ state: 'absent', address: true, exactAddress: false, redirect: 'absent', conflicts: [] });
    await manager.ensure();
    expect(state.elevated.map((e) => e.script)).toEqual([plan.apply]);
    // Revert takes back only what the set-up added: the other tool's alias stays, and that counts as absent.
    expect(await manager.revert()).toEqual({
      changed: true,
      status: { state: 'absent', address: true, exactAddress: false, redirect: 'absent', conflicts: [] },
    });
  });

  it('reverts with one elevated run, and not at all when nothing is there', async () => {
    const { plan, state, manager } = fakeMachine('win32', { address: true, redirect: true });
    expect(await manager.revert()).toEqual({ changed: true, status: { state: 'absent', address: false, exactAddress: false, redirect: 'absent', conflicts: [] } });
    expect(await manager.revert()).toMatchObject({ changed: false });
    expect(state.elevated.map((e) => e.script)).toEqual([plan.revert]);
  });

  it('a cancelled prompt is a typed error the caller turns into loopback mode, not a crash', async () => {
    const { state, manager } = fakeMachine();
    state.prompt = 'cancel';
    const error = await manager.ensure().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'network.admin-cancelled' });
    expect(error).toMatchObject({ code: 'network.admin-cancelled' });
    expect(await manager.status()).toMatchObject({ state: 'absent' });
    // The next attempt prompts again: a cancel is not remembered as success.
    state.prompt = 'allow';
    expect(await manager.ensure()).toMatchObject({ changed: true });
    expect(state.elevated).toHaveLength(2);
  });

  it('a failed command is a typed error carrying its exit code', async () => {
    const { state, manager } = fakeMachine();
    state.prompt = 'fail';
    const error = await manager.ensure().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminCommandFailedError);
    expect(error).toMatchObject({ exitCode: 10 });
  });

  it('a run that reports success but changes nothing is caught by checking again', async () => {
    const { state, manager } = fakeMachine();
    state.prompt = 'no-effect';
    const error = await manager.ensure().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'network.alias-not-effective' });
    expect((error as Error).message).toContain('is absent instead of present');
  });

  it('refuses to touch an address another interface holds, without prompting', async () => {
    const { state, manager } = fakeMachine();
    state.otherAddresses.push('9: tun0    inet 169.254.169.254/16 scope global tun0\\       valid_lft forever preferred_lft forever');
    const error = await manager.ensure().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AliasConflictError);
    expect((error as AliasConflictError).holders).toEqual(['169.254.169.254/16 is assigned to interface tun0']);
    expect(state.elevated).toHaveLength(0);
  });

  it('names who listens on 169.254.169.254:80, ignores this process and other addresses or ports', async () => {
    const { state, manager } = fakeMachine();
    state.listeners.push(
      'LISTEN 0 511 169.254.169.254:80 0.0.0.0:* users:(("aws-vault",pid=4242,fd=7))',
      'LISTEN 0 511 169.254.169.254:80 0.0.0.0:*',
      `LISTEN 0 511 169.254.169.254:80 0.0.0.0:* users:(("node",pid=${process.pid},fd=20))`,
      'LISTEN 0 511 127.0.0.1:80 0.0.0.0:* users:(("nginx",pid=10,fd=6))',
      `LISTEN 0 511 169.254.169.254:${PORT} 0.0.0.0:* users:(("other",pid=11,fd=6))`,
    );
    expect((await manager.status()).conflicts).toEqual([
      '169.254.169.254:80 is served by aws-vault (pid 4242)',
      '169.254.169.254:80 is served by a process this user cannot see (another user or root)',
    ]);
    await expect(manager.ensure()).rejects.toBeInstanceOf(AliasConflictError);
    expect(state.elevated).toHaveLength(0);
  });

  it('does not look for listeners once the redirect is in place (they no longer receive port 80)', async () => {
    const { state, manager } = fakeMachine('linux', { address: true, redirect: true });
    state.listeners.push('LISTEN 0 511 169.254.169.254:80 0.0.0.0:* users:(("aws-vault",pid=4242,fd=7))');
    expect(await manager.status()).toMatchObject({ state: 'present', conflicts: [] });
  });

  it('treats a failing address check as "absent" and logs it', async () => {
    const plan = createAliasPlan({ platform: 'linux', port: PORT });
    const logs: string[] = [];
    const manager = createAliasManager({
      plan,
      runner: {
        run: async () => ({ code: 127, stdout: '', stderr: 'spawn ip ENOENT' }),
        runElevated: async () => ({ code: 0, stdout: '', stderr: '' }),
      },
      probe: async () => 'present',
      logger: createLogger({ sink: (line) => logs.push(line) }),
    });
    expect(await manager.status()).toEqual({ state: 'absent', address: false, exactAddress: false, redirect: 'absent', conflicts: [] });
    expect(logs.join('\n')).toContain('address check failed');
  });
});

describe('establishServingMode: the fallback path', () => {
  it('serves on the alias when the set-up is (or becomes) present', async () => {
    const { plan, manager } = fakeMachine();
    expect(await establishServingMode({ manager, plan })).toEqual({ kind: 'alias', host: '169.254.169.254', port: PORT, changed: true });
    expect(await establishServingMode({ manager, plan })).toEqual({ kind: 'alias', host: '169.254.169.254', port: PORT, changed: false });
  });

  it.each([
    ['cancel', CloudtokenError, 'network.admin-cancelled'],
    ['fail', AdminCommandFailedError, 'network.admin-command-failed'],
    ['no-effect', CloudtokenError, 'network.alias-not-effective'],
  ] as const)('a prompt that ends in "%s" falls back to loopback with the reason and the variables to set', async (prompt, type, code) => {
    const { plan, state, manager, logs } = fakeMachine();
    state.prompt = prompt;
    const container = { url: `http://127.0.0.1:9912/role/default`, token: 'c0ffee' };
    const mode = await establishServingMode({ manager, plan, container, logger: createLogger({ sink: (line) => logs.push(line) }) });
    expect(mode.kind).toBe('loopback');
    if (mode.kind !== 'loopback') return;
    expect(mode).toMatchObject({ host: '127.0.0.1', port: PORT });
    expect(mode.reason).toBeInstanceOf(type);
    expect(mode.reason.code).toBe(code);
    expect(mode.advice.imds).toEqual([{ name: 'AWS_EC2_METADATA_SERVICE_ENDPOINT', value: `http://127.0.0.1:${PORT}/` }]);
    expect(mode.advice.container?.map((v) => v.name)).toEqual(['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN']);
    expect(logs.join('\n')).toContain(code);
    expect(logs.join('\n')).not.toContain('c0ffee');
  });

  it('a conflict falls back without prompting', async () => {
    const { plan, state, manager } = fakeMachine();
    state.listeners.push('LISTEN 0 511 169.254.169.254:80 0.0.0.0:* users:(("aws-vault",pid=4242,fd=7))');
    const mode = await establishServingMode({ manager, plan });
    expect(mode).toMatchObject({ kind: 'loopback', reason: { code: 'network.alias-conflict' } });
    expect(state.elevated).toHaveLength(0);
  });

  it('even an unexpected error is a loopback mode with a typed reason, never a crash', async () => {
    const plan = createAliasPlan({ platform: 'linux', port: PORT });
    const manager = createAliasManager({
      plan,
      runner: {
        run: async () => ({ code: 0, stdout: '', stderr: '' }),
        runElevated: async () => {
          throw new TypeError('boom');
        },
      },
      probe: async () => 'absent',
    });
    const mode = await establishServingMode({ manager, plan });
    expect(mode).toMatchObject({ kind: 'loopback', reason: { code: 'network.setup-failed' } });
  });
});
