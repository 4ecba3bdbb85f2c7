import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fromProcess } from '@aws-sdk/credential-providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialProcessOutput, formatCredentialProcessOutput } from '../../../main/outputs/credential-process.js';
import type { AwsCredentials } from '../../../main/sts/types.js';
import { exportCredentials } from './aws-cli.js';

const run = promisify(execFile);

// Whole seconds, an hour ahead: what STS hands out.
const expiration = Math.floor(Date.now() / 1000 + 3600) * 1000;
const credentials: AwsCredentials = {
  accessKeyId: 'ASIAPROCESSEXAMPLE',
  secretAccessKey: 'wJalr/XUtnFEMI+K7MDENG"bPxRfiCY\\EXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==',
  expiration,
};

let home: string;
let files: { home: string; credentials: string; config: string };

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'ct-process-'));
  const output = path.join(home, 'output.json');
  const script = path.join(home, 'print.mjs');
  await fs.writeFile(output, formatCredentialProcessOutput(credentials));
  await fs.writeFile(script, `import { readFileSync } from 'node:fs';\nprocess.stdout.write(readFileSync(${JSON.stringify(output)}, 'utf8'));\n`);
  files = { home, credentials: path.join(home, 'credentials'), config: path.join(home, 'config') };
  await fs.writeFile(files.config, `[profile ct]\ncredential_process = ${process.execPath} ${script}\n`);
});

afterAll(async () => {
  await fs.rm(home, { recursive: true, force: true });
});

describe('credential_process output', { timeout: 90_000 }, () => {
  it('is Version 1 JSON with an AWS timestamp, one line', () => {
    const text = formatCredentialProcessOutput({ ...credentials, expiration: Date.UTC(2030, 4, 6, 7, 8, 9, 999) });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
    expect(JSON.parse(text)).toEqual({
      Version: 1,
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: '2030-05-06T07:08:09Z',
    });
  });

  it('is accepted by the real AWS CLI as a credential_process', async () => {
    const { Expiration, ...rest } = await exportCredentials('ct', files);
    const { Expiration: _written, ...expected } = credentialProcessOutput(credentials);
    expect(rest).toEqual(expected);
    // The CLI re-prints the instant it parsed in its own ISO form.
    expect(Date.parse(Expiration ?? '')).toBe(expiration);
  });

  it('is accepted by botocore, expiry included', async () => {
    const { stdout } = await run(
      '/usr/bin/python3',
      ['-c', "import boto3,json; c=boto3.Session(profile_name='ct').get_credentials(); print(json.dumps([c.access_key, c.secret_key, c.token, c._expiry_time.timestamp()]))"],
      { env: { PATH: '/usr/bin:/bin', HOME: home, AWS_CONFIG_FILE: files.config, AWS_SHARED_CREDENTIALS_FILE: files.credentials, AWS_EC2_METADATA_DISABLED: 'true' } },
    );
    expect(JSON.parse(stdout)).toEqual([credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken, expiration / 1000]);
  });

  it('is accepted by the AWS SDK for JavaScript', async () => {
    const resolved = await fromProcess({ profile: 'ct', filepath: files.credentials, configFilepath: files.config })();
    expect(resolved).toMatchObject({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken });
    expect(resolved.expiration?.getTime()).toBe(expiration);
  });
});
