import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultKindOf } from '../../../main/session/fault-model.js';
import { consoleHomeFor, createConsoleSigninUrl, federationEndpointFor } from '../../../main/sts/federation.js';
import type { StsError } from '../../../main/sts/errors.js';
import type { AwsCredentials } from '../../../main/sts/types.js';
import { buildSamlResponse, createSigningIdentity, DEFAULT_ISSUER } from '../../support/saml-fixtures.js';
import { assumeRoleParams, postQuery } from '../../support/sts/query-client.js';
import { startStsStandIn, type StsStandIn } from '../../support/sts/stand-in.js';

const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/Test';
const ROLE = 'arn:aws:iam::123456789012:role/Admin';
const identity = createSigningIdentity();
let standIn: StsStandIn;
let credentials: AwsCredentials;

beforeAll(async () => {
  standIn = await startStsStandIn({ providers: [{ arn: PROVIDER, issuer: DEFAULT_ISSUER, certificates: [identity.certificatePem] }] });
  const answer = await postQuery(standIn.url, assumeRoleParams({ roleArn: ROLE, principalArn: PROVIDER, samlResponse: buildSamlResponse({ identity }) }));
  credentials = {
    accessKeyId: answer.field('AccessKeyId')!,
    secretAccessKey: answer.field('SecretAccessKey')!,
    sessionToken: answer.field('SessionToken')!,
    expiration: Date.parse(answer.field('Expiration')!),
  };
});
afterAll(() => standIn.close());

describe('console sign-in URL', () => {
  it('names the federation endpoint and console of each partition', () => {
    expect(federationEndpointFor('aws')).toBe('https://signin.aws.amazon.com/federation');
    expect(federationEndpointFor('aws-us-gov')).toBe('https://signin.amazonaws-us-gov.com/federation');
    expect(federationEndpointFor('aws-cn')).toBe('https://signin.amazonaws.cn/federation');
    expect(consoleHomeFor('aws', 'eu-west-1')).toBe('https://console.aws.amazon.com/console/home?region=eu-west-1');
    expect(consoleHomeFor('aws-us-gov', undefined)).toBe('https://console.amazonaws-us-gov.com/console/home');
    expect(consoleHomeFor('aws-cn', 'cn-north-1')).toBe('https://console.amazonaws.cn/console/home?region=cn-north-1');
  });

  it('trades the credentials for a sign-in token and builds a login link that reaches the console', async () => {
    const url = await createConsoleSigninUrl({
      credentials,
      partition: 'aws',
      region: 'eu-west-1',
      sessionDuration: 7_200,
      federationEndpoint: `${standIn.url}/federation`,
    });
    const parsed = new URL(url);
    expect(parsed.origin + parsed.pathname).toBe(`${standIn.url}/federation`);
    expect(parsed.searchParams.get('Action')).toBe('login');
    expect(parsed.searchParams.get('Issuer')).toBe('Cloudtoken');
    expect(parsed.searchParams.get('SigninToken')).toBe(standIn.signinTokens.at(-1)!.token);
    expect(standIn.signinTokens.at(-1)).toMatchObject({ accessKeyId: credentials.accessKeyId, sessionDuration: 7_200 });
    const login = await fetch(url, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('https://console.aws.amazon.com/console/home?region=eu-west-1');
  });

  it('uses an injected fetch and clamps the session duration', async () => {
    const seen: string[] = [];
    await createConsoleSigninUrl({
      credentials,
      partition: 'aws',
      sessionDuration: 60,
      destination: 'https://console.aws.amazon.com/s3/',
      federationEndpoint: `${standIn.url}/federation`,
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    expect(seen).toHaveLength(1);
    expect(new URL(seen[0]!).searchParams.get('SessionDuration')).toBe('900');
  });

  it('reports refused credentials, a bad destination and an unreachable endpoint as typed errors', async () => {
    const refused = await createConsoleSigninUrl({
      credentials: { ...credentials, secretAccessKey: 'x'.repeat(40) },
      partition: 'aws',
      federationEndpoint: `${standIn.url}/federation`,
    }).catch((error: StsError) => error);
    expect(refused).toMatchObject({ code: 'STS_FEDERATION' });
    expect((refused as Error).message).not.toContain(credentials.sessionToken);

    await expect(
      createConsoleSigninUrl({ credentials, partition: 'aws', destination: 'http://evil.example/', federationEndpoint: `${standIn.url}/federation` }),
    ).rejects.toMatchObject({ code: 'STS_FEDERATION' });

    // The session key would travel in clear text: refused before any request, like an http STS endpoint.
    const sent: string[] = [];
    const recording: typeof fetch = async (input) => {
      sent.push(String(input));
      throw new Error('no request may be sent');
    };
    await expect(
      createConsoleSigninUrl({ credentials, partition: 'aws', federationEndpoint: 'http://10.99.0.1:8080/federation', fetch: recording }),
    ).rejects.toMatchObject({ code: 'STS_ENDPOINT_INVALID', message: expect.stringMatching(/federation endpoint .* must use https/) });
    expect(sent).toEqual([]);

    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const unreachable = await createConsoleSigninUrl({ credentials, partition: 'aws', federationEndpoint: `http://127.0.0.1:${port}/federation` }).catch(
      (error: StsError) => error,
    );
    expect(unreachable).toMatchObject({ code: 'STS_NETWORK' });
    expect(faultKindOf(unreachable)).toBe('retryable');
    expect((unreachable as Error).message).toContain(`http://127.0.0.1:${port}/federation`);
    expect((unreachable as Error).message).not.toContain(credentials.secretAccessKey);
  });
});
