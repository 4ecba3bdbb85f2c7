import { afterEach, describe, expect, it } from 'vitest';
import { adminPromptCancelledError } from '../../../main/network/errors.js';
import type { Runner } from '../../../main/network/runner.js';
import { createAliasSetup } from '../../../main/network/setup.js';
import { parseRolePair } from '../../../main/saml/role-arn.js';
import { startCredentialService, type RunningCredentialService, type ServedSession } from '../../../main/runtime/serving.js';
import type { RoleCredentials } from '../../../main/sts/types.js';
import { accessKeyFrom } from '../../support/aws-clients.js';

const held = (pair: string, key: string): RoleCredentials => ({
  role: parseRolePair(pair),
  credentials: { accessKeyId: key, secretAccessKey: 'secret'.padEnd(40, 'x'), sessionToken: 'token', expiration: Date.now() + 3_600_000 },
  assumedRoleArn: 'arn:aws:sts::111111111111:assumed-role/X/alice',
  obtainedAt: Date.now(),
});
const metadataRole = held('arn:aws:iam::111111111111:role/Developer,arn:aws:iam::111111111111:saml-provider/Corp', 'ASIAMETADATAROLE0001');
const keptRole = held('arn:aws:iam::222222222222:role/ReadOnly,arn:aws:iam::222222222222:saml-provider/Corp', 'ASIAKEPTACTIVEROLE01');
const session = {
  metadataCredentials: () => metadataRole,
  servedCredentials: () => [metadataRole, keptRole],
} satisfies ServedSession;

/** A machine without the alias whose admin prompt the user cancels. */
const cancellingRunner: Runner = {
  run: async () => ({ code: 0, stdout: '1: lo    inet 127.0.0.1/8 scope host lo\n', stderr: '' }),
  runElevated: async () => {
    throw adminPromptCancelledError();
  },
};

let service: RunningCredentialService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

describe('startCredentialService', () => {
  it('falls back to loopback when the admin prompt is cancelled, says exactly what to set, and serves there', async () => {
    service = await startCredentialService({
      session,
      mode: 'alias',
      port: 0,
      containerPort: 0,
      region: () => 'eu-west-1',
      tokensRequired: true,
      alias: createAliasSetup({ port: 9911, platform: 'linux', runner: cancellingRunner }),
    });
    expect(service.mode).toBe('loopback');
    expect(service.fallbackReason).toMatch(/permission was not granted/i);
    expect(service.imdsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(service.fallbackAdvice).toContain(`export AWS_EC2_METADATA_SERVICE_ENDPOINT='${service.imdsUrl}'`);
    expect(service.fallbackAdvice).toContain(`export AWS_CONTAINER_CREDENTIALS_FULL_URI='${service.containerEnvironment.AWS_CONTAINER_CREDENTIALS_FULL_URI}'`);
    expect(await accessKeyFrom('js-imds', { AWS_EC2_METADATA_SERVICE_ENDPOINT: service.imdsUrl })).toBe('ASIAMETADATAROLE0001');
  });

  it('serves the metadata role and every kept-active role on the container endpoint, each at its own path', async () => {
    service = await startCredentialService({ session, mode: 'loopback', port: 0, containerPort: 0, region: () => 'us-east-1', tokensRequired: true });
    expect(service.fallbackReason).toBeUndefined();
    expect(service.fallbackAdvice).toBeUndefined();
    const noImds = { AWS_EC2_METADATA_DISABLED: 'true' };
    expect(await accessKeyFrom('js-container', { ...service.containerEnvironment, ...noImds })).toBe('ASIAMETADATAROLE0001');
    const kept = service.containerEnvironmentFor(keptRole.role.roleArn);
    expect(kept?.AWS_CONTAINER_CREDENTIALS_FULL_URI).toMatch(/\/role\/222222222222\/ReadOnly$/);
    expect(await accessKeyFrom('botocore', { ...(kept as Record<string, string>), ...noImds })).toBe('ASIAKEPTACTIVEROLE01');
    expect(service.containerEnvironmentFor('arn:aws:iam::111111111111:role/Unknown')).toBeUndefined();
  });

  it('hands memory back once requests to either endpoint stop, and never while they keep coming', async () => {
    let youngBytes = 16;
    let collections = 0;
    service = await startCredentialService({
      session,
      mode: 'loopback',
      port: 0,
      containerPort: 0,
      region: () => 'us-east-1',
      tokensRequired: true,
      reclaim: { quietMs: 1_500, youngGenerationSize: () => youngBytes, collect: async () => void (collections += 1) },
    });
    const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers }).then((r) => r.status);
    for (let i = 0; i < 6; i += 1) {
      expect(await get(`${service.imdsUrl}latest/meta-data/`)).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(collections).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(collections).toBe(1);

    youngBytes = 32;
    const { AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: token } = service.containerEnvironment;
    expect(await get(url!, { Authorization: token! })).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(collections).toBe(2);
  });
});
