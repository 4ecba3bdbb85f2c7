import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator, CapturedAssertion } from '../../../main/login/capture.js';
import { createCredentialsFile } from '../../../main/outputs/credentials-file.js';
import { profileNameFor, syncCredentialsFile } from '../../../main/session/credentials-file-sync.js';
import { createCredentialSession } from '../../../main/session/session.js';
import { createStsExchange } from '../../../main/sts/assume-role.js';
import { callerArn } from '../../support/caller-identity.js';
import { buildSamlResponse, createSigningIdentity, DEFAULT_ISSUER } from '../../support/saml-fixtures.js';
import { startStsStandIn, type StsStandIn } from '../../support/sts/stand-in.js';

const identity = createSigningIdentity('credentials-sync-idp');
const PROVIDER = 'arn:aws:iam::111111111111:saml-provider/Corp';
const DEV = 'arn:aws:iam::111111111111:role/Developer';
const OPS = 'arn:aws:iam::111111111111:role/team/Ops';

let standIn: StsStandIn;
let dir: string;
beforeAll(async () => {
  standIn = await startStsStandIn({ providers: [{ arn: PROVIDER, issuer: DEFAULT_ISSUER, certificates: [identity.certificatePem] }] });
  dir = await mkdtemp(join(tmpdir(), 'cloudtoken-sync-'));
});
afterAll(async () => {
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

const idp: Authenticator = {
  authenticate: async (): Promise<CapturedAssertion> => ({
    samlResponse: buildSamlResponse({ identity, roles: [DEV, OPS].map((role) => `${role},${PROVIDER}`) }),
    relayState: undefined,
    acsUrl: 'https://signin.aws.amazon.com/saml',
  }),
  signOut: async () => undefined,
};

describe('syncCredentialsFile', () => {
  it('names profiles after the account label and role', () => {
    const role = { roleArn: OPS, principalArn: PROVIDER, accountId: '111111111111', roleName: 'Ops', partition: 'aws' as const };
    expect(profileNameFor({ role }, {})).toBe('111111111111-ops');
    expect(profileNameFor({ role }, { '111111111111': 'Prod EU (main)' })).toBe('prod-eu-main-ops');
  });

  it('keeps one profile per served role in step with the session, leaving the user’s own profiles alone', async () => {
    const path = join(dir, 'credentials');
    const mine = '# my keys\n[default]\naws_access_key_id = AKIAUSERSOWNKEY00000\naws_secret_access_key = user-secret\n';
    await writeFile(path, mine, { mode: 0o600 });
    const env = { AWS_SHARED_CREDENTIALS_FILE: path };
    const session = createCredentialSession({
      profileId: 'p',
      authenticator: idp,
      sts: createStsExchange({ endpointOverride: standIn.url }),
      remembered: { metadataRoleArn: DEV, keptActiveRoleArns: [OPS] },
    });
    const stop = syncCredentialsFile({ session, file: createCredentialsFile({ env, homedir: dir }), accountLabels: () => ({ '111111111111': 'Prod' }) });
    try {
      await session.signIn();
      await expect.poll(async () => readFile(path, 'utf8')).toContain('[prod-ops]');
      const text = await readFile(path, 'utf8');
      expect(text.startsWith(mine)).toBe(true);
      expect(text).toContain('[prod-developer]');
      const vars = { AWS_SHARED_CREDENTIALS_FILE: path, AWS_PROFILE: 'prod-ops', AWS_EC2_METADATA_DISABLED: 'true' };
      expect(await callerArn('aws-cli', standIn.url, vars)).toMatch(/assumed-role\/Ops\//);

      await session.setKeptActive(OPS, false);
      await expect.poll(async () => readFile(path, 'utf8')).not.toContain('[prod-ops]');
      await session.signOut();
      await expect.poll(async () => readFile(path, 'utf8')).toBe(mine);
    } finally {
      stop();
      session.dispose();
    }
  }, 60_000);
});
