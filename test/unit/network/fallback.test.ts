// 169.254.169.254 appears here only as text; no traffic goes to it (real traffic to it happens only inside a
// network namespace a test creates with unshare — see test/support/netns.ts).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fallbackAdvice } from '../../../main/network/fallback.js';

const container = { url: 'http://127.0.0.1:9912/role/default', token: "tok'en$(id)" };

describe('fallbackAdvice', () => {
  it('gives the IMDS endpoint with its trailing slash, and the container pair when that endpoint runs', () => {
    const advice = fallbackAdvice({ port: 9911, platform: 'darwin', container });
    expect(advice.imds).toEqual([{ name: 'AWS_EC2_METADATA_SERVICE_ENDPOINT', value: 'http://127.0.0.1:9911/' }]);
    expect(advice.container).toEqual([
      { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: container.url },
      { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN', value: container.token },
    ]);
    expect(fallbackAdvice({ port: 9911, platform: 'linux' }).container).toBeUndefined();
  });

  it('prints POSIX lines a shell evaluates to exactly those values, whatever the token holds', () => {
    const advice = fallbackAdvice({ port: 9911, platform: 'linux', container });
    const exports = advice.text.split('\n').filter((line) => line.trim().startsWith('export '));
    expect(exports).toHaveLength(3);
    const script = `${exports.join('\n')}\nprintf '%s\\n' "$AWS_EC2_METADATA_SERVICE_ENDPOINT" "$AWS_CONTAINER_CREDENTIALS_FULL_URI" "$AWS_CONTAINER_AUTHORIZATION_TOKEN"`;
    const result = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(result.stdout).toBe(`http://127.0.0.1:9911/\n${container.url}\n${container.token}\n`);
  });

  it('prints PowerShell lines on Windows', () => {
    const advice = fallbackAdvice({ port: 9911, platform: 'win32', container });
    expect(advice.text.split('\n')).toEqual([
      'Cloudtoken serves credentials on 127.0.0.1:9911 because 169.254.169.254 is not set up. Point your AWS tools at it:',
      "  $Env:AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://127.0.0.1:9911/'",
      'or use the container-credentials endpoint:',
      "  $Env:AWS_CONTAINER_CREDENTIALS_FULL_URI = 'http://127.0.0.1:9912/role/default'",
      "  $Env:AWS_CONTAINER_AUTHORIZATION_TOKEN = 'tok''en$(id)'",
    ]);
  });

  it('rejects a port outside 1024..65535', () => {
    expect(() => fallbackAdvice({ port: 80, platform: 'linux' })).toThrow(expect.objectContaining({ code: 'network.invalid-port' }));
  });
});
