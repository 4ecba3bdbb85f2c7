import { describe, expect, it } from 'vitest';
import type { ElevatedScript } from '../../../main/network/alias-plan.js';
import type { Runner } from '../../../main/network/runner.js';
import { createAliasSetup } from '../../../main/network/setup.js';
import { CloudtokenError } from '../../../main/support/errors.js';

describe('createAliasSetup', () => {
  it('refuses platforms without a plan, and invalid ports, with typed errors', () => {
    expect(() => createAliasSetup({ port: 9911, platform: 'freebsd' })).toThrow(CloudtokenError);
    expect(() => createAliasSetup({ port: 9911, platform: 'freebsd' })).toThrow(expect.objectContaining({ code: 'network.unsupported-platform' }));
    expect(() => createAliasSetup({ port: 80, platform: 'linux' })).toThrow(expect.objectContaining({ code: 'network.invalid-port' }));
  });

  it("wires the platform's plan to the given runner", async () => {
    const elevated: ElevatedScript[] = [];
    const runner: Runner = {
      // A Windows machine without the address: the check prints only the loopback's own address.
      run: async () => ({ code: 0, stdout: 'Configuration for interface "Loopback Pseudo-Interface 1"\r\n    IP Address:   127.0.0.1\r\n', stderr: '' }),
      runElevated: async (script) => {
        elevated.push(script);
        throw new Error('stop here');
      },
    };
    const { manager, plan } = createAliasSetup({ port: 9911, platform: 'win32', runner });
    expect(plan.platform).toBe('win32');
    expect(await manager.status()).toMatchObject({ state: 'absent', address: false });
    await expect(manager.ensure()).rejects.toThrow('stop here');
    expect(elevated).toHaveLength(1);
    expect(elevated[0]!.shell).toBe('cmd');
    expect(elevated[0]!.text).toContain('connectport=9911');
  });
});
