// 169.254.169.254 appears here only as text; no traffic goes to it (real traffic to it happens only inside a
// network namespace a test creates with unshare — see test/support/netns.ts).
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectShadowing, loadShadowingInputs, noProxyCovers } from '../../../main/diagnosis/shadowing.js';
import type { ShadowingInputs, ShadowingOptions } from '../../../main/diagnosis/shadowing.js';
import type { Environment } from '../../../main/outputs/aws-paths.js';
import { AWS_CLI } from '../outputs/aws-cli.js';

const run = promisify(execFile);
const ALIAS: ShadowingOptions = { serving: { kind: 'metadata', endpoint: 'http://169.254.169.254/' } };
const LOOPBACK: ShadowingOptions = { serving: { kind: 'metadata', endpoint: 'http://127.0.0.1:49200/' } };
const CONTAINER: ShadowingOptions = { serving: { kind: 'container', url: 'http://127.0.0.1:49201/creds' } };

const MANAGED = '[cloudtoken]\naws_access_key_id = ASIAMANAGED\naws_secret_access_key = s\naws_session_token = t\nx_cloudtoken_managed = true\n';

function inputs(env: Environment, credentials?: string, config?: string): ShadowingInputs {
  return { env, credentialsFile: { path: '/home/u/.aws/credentials', text: credentials }, configFile: { path: '/home/u/.aws/config', text: config } };
}

const codes = (input: ShadowingInputs, options = ALIAS) => detectShadowing(input, options).map((finding) => finding.code);

describe('detectShadowing', () => {
  it('finds nothing on a clean machine', () => {
    expect(detectShadowing(inputs({}), ALIAS)).toEqual([]);
    expect(detectShadowing(inputs({}, MANAGED, '[default]\nregion = eu-west-1\n'), ALIAS)).toEqual([]);
  });

  it('explains environment keys with a fix for both shells', () => {
    const [finding] = detectShadowing(inputs({ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' }), ALIAS);
    expect(finding).toMatchObject({ code: 'ENV_KEYS', severity: 'warning' });
    expect(finding?.message).toContain('AWS_ACCESS_KEY_ID');
    expect(finding?.fix).toContain('unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN');
    expect(finding?.fix).toContain('Remove-Item Env:AWS_ACCESS_KEY_ID');
  });

  it('calls half a key an error', () => {
    expect(detectShadowing(inputs({ AWS_SECRET_ACCESS_KEY: 's' }), ALIAS)).toMatchObject([{ code: 'ENV_KEYS_PARTIAL', severity: 'error' }]);
  });

  it('follows AWS_PROFILE and AWS_DEFAULT_PROFILE into both files', () => {
    const credentials = '[dev]\naws_access_key_id = AKIA\naws_secret_access_key = s\n';
    const config = '[profile sso]\nsso_session = corp\n[profile plain]\nregion = eu-west-1\n[profile chained]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Ec2InstanceMetadata\n';
    expect(codes(inputs({ AWS_PROFILE: 'dev' }, credentials, config))).toEqual(['PROFILE_HAS_CREDENTIALS']);
    expect(codes(inputs({ AWS_DEFAULT_PROFILE: 'sso' }, credentials, config))).toEqual(['PROFILE_HAS_CREDENTIALS']);
    expect(codes(inputs({ AWS_PROFILE: 'plain' }, credentials, config))).toEqual([]);
    expect(codes(inputs({ AWS_PROFILE: 'chained' }, credentials, config))).toEqual([]);
    expect(codes(inputs({ AWS_PROFILE: 'cloudtoken' }, MANAGED, config))).toEqual([]);
    // The AWS CLI reads AWS_PROFILE first, boto3 AWS_DEFAULT_PROFILE: each is judged.
    expect(codes(inputs({ AWS_PROFILE: 'plain', AWS_DEFAULT_PROFILE: 'dev' }, credentials, config))).toEqual(['PROFILE_HAS_CREDENTIALS']);
    const both = detectShadowing(inputs({ AWS_PROFILE: 'dev', AWS_DEFAULT_PROFILE: 'dev' }, credentials, config), ALIAS);
    expect(both).toHaveLength(1);
    expect(both[0]?.message).toContain('AWS_PROFILE and AWS_DEFAULT_PROFILE select the profile "dev"');
    expect(both[0]?.message).toContain('/home/u/.aws/credentials');
    expect(codes(inputs({ AWS_PROFILE: 'gone', AWS_DEFAULT_PROFILE: 'dev' }, credentials, config))).toEqual(['PROFILE_NOT_FOUND', 'PROFILE_HAS_CREDENTIALS']);
    const [missing] = detectShadowing(inputs({ AWS_PROFILE: 'gone' }, credentials, config), ALIAS);
    expect(missing).toMatchObject({ code: 'PROFILE_NOT_FOUND', severity: 'error' });
    expect(missing?.message).toContain('"gone"');
  });

  it('flags a [default] with credentials in either file, naming the file', () => {
    const [inCredentials] = detectShadowing(inputs({}, '[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n'), ALIAS);
    expect(inCredentials).toMatchObject({ code: 'DEFAULT_PROFILE_HAS_CREDENTIALS' });
    expect(inCredentials?.message).toContain('/home/u/.aws/credentials');
    const [inConfig] = detectShadowing(inputs({}, undefined, '[default]\ncredential_process = get-creds\n'), ALIAS);
    expect(inConfig?.message).toContain('/home/u/.aws/config');
    expect(inConfig?.message).toContain('credential_process');
    expect(codes(inputs({}, undefined, '[profile default]\nsso_start_url = https://x\n'))).toEqual(['DEFAULT_PROFILE_HAS_CREDENTIALS']);
  });

  it('reports unreadable AWS files instead of guessing', () => {
    const [finding] = detectShadowing(inputs({}, 'not ini at all\n'), ALIAS);
    expect(finding).toMatchObject({ code: 'AWS_FILE_UNREADABLE', severity: 'error' });
    expect(finding?.fix).toContain('line 1');
    expect(codes({ ...inputs({}), configFile: { path: '/x', text: undefined, readError: 'EACCES' } })).toEqual(['AWS_FILE_UNREADABLE']);
  });

  it('container variables shadow the metadata service, but not when they are Cloudtoken’s own', () => {
    expect(codes(inputs({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/creds' }))).toEqual(['CONTAINER_CREDENTIALS_SET']);
    expect(codes(inputs({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:49201/creds' }), CONTAINER)).toEqual([]);
    expect(codes(inputs({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:1/other' }), CONTAINER)).toEqual(['CONTAINER_CREDENTIALS_SET']);
  });

  it('web identity shadows', () => {
    expect(codes(inputs({ AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token', AWS_ROLE_ARN: 'arn' }))).toEqual(['WEB_IDENTITY_SET']);
  });

  it('metadata switched off: botocore and the JS SDK rules', () => {
    expect(codes(inputs({ AWS_EC2_METADATA_DISABLED: 'TRUE' }))).toEqual(['METADATA_DISABLED']);
    expect(codes(inputs({ AWS_EC2_METADATA_DISABLED: '1' }))).toEqual(['METADATA_DISABLED']);
    expect(codes(inputs({ AWS_EC2_METADATA_DISABLED: 'false' }))).toEqual([]);
    expect(codes(inputs({ AWS_EC2_METADATA_DISABLED: 'true' }), CONTAINER)).toEqual([]);
  });

  it('checks the endpoint AWS tools will ask', () => {
    expect(codes(inputs({}), LOOPBACK)).toEqual(['METADATA_ENDPOINT_ELSEWHERE']);
    expect(detectShadowing(inputs({}), LOOPBACK)[0]?.fix).toContain('export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:49200/');
    expect(codes(inputs({ AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:49200/' }), LOOPBACK)).toEqual([]);
    expect(detectShadowing(inputs({ AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:49200' }), LOOPBACK)[0]?.message).toContain('without a final "/"');
    expect(codes(inputs({ AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://10.1.1.1/' }))).toEqual(['METADATA_ENDPOINT_ELSEWHERE']);
    expect(codes(inputs({ AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv6' }))).toEqual(['METADATA_ENDPOINT_ELSEWHERE']);
  });

  it('warns about a proxy that would receive metadata requests', () => {
    expect(codes(inputs({ HTTP_PROXY: 'http://proxy:3128' }))).toEqual(['PROXY_INTERCEPTS_METADATA']);
    expect(codes(inputs({ http_proxy: 'http://proxy:3128', NO_PROXY: 'localhost,169.254.169.254' }))).toEqual([]);
    expect(codes(inputs({ HTTP_PROXY: 'http://p', NO_PROXY: '169.254.169.254', no_proxy: 'localhost' }))).toEqual(['PROXY_INTERCEPTS_METADATA']);
    const findings = detectShadowing(inputs({ HTTP_PROXY: 'http://p', NO_PROXY: 'localhost' }), LOOPBACK);
    const finding = findings.find((candidate) => candidate.code === 'PROXY_INTERCEPTS_METADATA');
    expect(finding?.fix).toContain('NO_PROXY="localhost,127.0.0.1"');
  });
});

describe('noProxyCovers follows Python urllib', () => {
  it.each([
    ['*', true],
    ['169.254.169.254', true],
    [' 169.254.169.254 ,x', true],
    ['.169.254.169.254', true],
    ['169.254.169.254:80', true],
    ['254.169.254', true],
    ['169.254.0.0/16', false],
    ['*,localhost', false],
    ['', false],
  ])('%j → %s', (noProxy, covered) => {
    expect(noProxyCovers(noProxy, '169.254.169.254', '80')).toBe(covered);
  });
});

describe('loadShadowingInputs', () => {
  let home: string;
  beforeAll(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'ct-shadow-'));
  });
  afterAll(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  it('reads the files where AWS tools look, missing ones as absent', async () => {
    await fs.mkdir(path.join(home, '.aws'));
    await fs.writeFile(path.join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = A\naws_secret_access_key = s\n');
    const loaded = await loadShadowingInputs({}, home);
    expect(loaded.credentialsFile).toEqual({ path: path.join(home, '.aws', 'credentials'), text: '[default]\naws_access_key_id = A\naws_secret_access_key = s\n' });
    expect(loaded.configFile).toEqual({ path: path.join(home, '.aws', 'config'), text: undefined });
    const elsewhere = await loadShadowingInputs({ AWS_CONFIG_FILE: home }, home);
    expect(elsewhere.configFile.readError).toBeDefined();
  });

  // The detector's claims, checked against the real AWS CLI: with the metadata service off, the CLI finds
  // credentials (or fails on something else) exactly when the detector reports something taking precedence.
  it('agrees with the AWS CLI on what takes precedence', async () => {
    const container = createServer((_request, response) => {
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify({ AccessKeyId: 'ASIACONTAINER', SecretAccessKey: 's', Token: 't', Expiration: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z') }));
    });
    await new Promise<void>((resolve) => container.listen(0, '127.0.0.1', resolve));
    const containerUrl = `http://127.0.0.1:${(container.address() as AddressInfo).port}/creds`;
    const credentials = path.join(home, 'agree-credentials');
    const config = path.join(home, 'agree-config');
    await fs.writeFile(credentials, '[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n');
    await fs.writeFile(config, '[profile plain]\nregion = eu-west-1\n');
    const scenarios: Array<{ env: Environment; defaultProfile?: string }> = [
      { env: {} },
      { env: { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 's' } },
      { env: { AWS_ACCESS_KEY_ID: 'AKIAENV' } },
      { env: { AWS_PROFILE: 'gone' } },
      { env: { AWS_PROFILE: 'dev' } },
      { env: { AWS_PROFILE: 'plain' } },
      { env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: containerUrl } },
      { env: {}, defaultProfile: `[default]\ncredential_process = /bin/echo {"Version":1,"AccessKeyId":"AKIAPROC","SecretAccessKey":"s"}\n` },
    ];
    const results = await Promise.all(
      scenarios.map(async ({ env, defaultProfile }, index) => {
        const configFile = defaultProfile ? path.join(home, `agree-config-${index}`) : config;
        if (defaultProfile) await fs.writeFile(configFile, defaultProfile);
        const full = { ...env, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: configFile };
        const detected = detectShadowing(await loadShadowingInputs(full, home), ALIAS).length > 0;
        const cli = await run(AWS_CLI, ['configure', 'export-credentials', '--format', 'process'], {
          env: { PATH: '/usr/bin:/bin', HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...full },
        }).then(
          () => 'credentials',
          (error: { stderr?: string }) => (error.stderr?.includes('no credentials found') ? 'none' : 'error'),
        );
        return { env, defaultProfile: Boolean(defaultProfile), detected, cliUsesSomethingElse: cli !== 'none' };
      }),
    );
    container.close();
    for (const result of results) expect(result.detected, JSON.stringify(result)).toBe(result.cliUsesSomethingElse);
  }, 180_000);
});
