import { pickRole } from '../choose-role.js';
import type { CliContext } from '../context.js';
import { writeJson } from '../output.js';
import { checkCredentialCommand, writeCredentials, type CredentialCommand, type HeldCredentials } from './credential-outputs.js';

/** Sign in silently and get credentials for the role the command names (or the remembered one). */
async function silentCredentials(context: CliContext): Promise<HeldCredentials> {
  const snapshot = await context.session.signIn({ interactive: false });
  const role = await pickRole(context, snapshot, { remembered: context.settings.lastRoleArnByProfile[context.profile.id] });
  await context.session.chooseRole(role.roleArn);
  const held = context.session.metadataCredentials();
  if (!held) throw new Error('The role was chosen but no credentials arrived.');
  return { roleArn: held.role.roleArn, partition: held.role.partition, assumedRoleArn: held.assumedRoleArn, credentials: held.credentials };
}

/** `cloudtoken roles`: the roles the IdP offers, numbered as `--role N` understands them. */
export async function roles(context: CliContext): Promise<void> {
  const { roles: offered } = await context.session.signIn({ interactive: false });
  const labels = context.settings.accountLabels;
  if (context.options.json) {
    writeJson(context.io.stdout, offered.map((role) => ({ ...role, accountLabel: labels[role.accountId] })));
    return;
  }
  const width = String(offered.length).length;
  offered.forEach((role, index) => {
    const label = labels[role.accountId];
    context.io.stdout.write(`${String(index + 1).padStart(width)}. ${role.roleArn}${label ? `  (${label})` : ''}\n`);
  });
}

/** `cloudtoken env`, `credential-process` and `console` when no running session serves them: a silent sign-in. */
export async function credentialCommand(command: CredentialCommand, context: CliContext): Promise<void> {
  checkCredentialCommand(context.options);
  await writeCredentials(command, await silentCredentials(context), context.region, context.options, context.io);
}
