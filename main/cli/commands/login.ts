import { createCredentialsFile } from '../../outputs/credentials-file.js';
import { pickRole } from '../choose-role.js';
import type { CliContext } from '../context.js';
import { describeExpiry, writeJson } from '../output.js';

/** `cloudtoken login`: interactive sign-in, role choice (remembered), optional credentials-file profile. */
export async function login(context: CliContext): Promise<void> {
  const { session, io, options } = context;
  const signedIn = await session.signIn({ interactive: true });
  const role = await pickRole(context, signedIn);
  await session.chooseRole(role.roleArn);
  const held = session.metadataCredentials();
  if (!held) throw new Error('The role was chosen but no credentials arrived.');

  if (options.credentialsProfile !== undefined) {
    const file = createCredentialsFile({ env: io.env, homedir: io.homedir });
    await file.writeProfiles([{ name: options.credentialsProfile, credentials: held.credentials, region: context.region }]);
  }

  if (options.json) {
    writeJson(io.stdout, {
      profile: context.profile.name,
      roleArn: held.role.roleArn,
      assumedRoleArn: held.assumedRoleArn,
      expiration: new Date(held.credentials.expiration).toISOString(),
      roles: signedIn.roles.map((r) => r.roleArn),
      credentialsProfile: options.credentialsProfile,
    });
    return;
  }
  io.stdout.write(`Using role ${held.role.roleArn}\n`);
  io.stdout.write(`Signed in as ${held.assumedRoleArn}; ${describeExpiry(held.credentials.expiration)}.\n`);
  if (options.credentialsProfile !== undefined) {
    io.stdout.write(`Wrote the credentials as profile [${options.credentialsProfile}] (they expire; run cloudtoken login again or use the daemon).\n`);
  }
}
