import { validateEndpointOverride } from '../../sts/endpoints.js';
import { createConsoleSigninUrl } from '../../sts/federation.js';
import { formatCredentialProcessOutput } from '../../outputs/credential-process.js';
import { credentialVariables, formatEnvAssignments } from '../../outputs/shell-env.js';
import type { RoleCredentials } from '../../sts/types.js';
import { pickRole } from '../choose-role.js';
import type { CliContext } from '../context.js';
import { openInBrowser } from '../open-url.js';
import { writeJson } from '../output.js';

/** Sign in silently and get credentials for the role the command names (or the remembered one). */
async function silentCredentials(context: CliContext): Promise<RoleCredentials> {
  const snapshot = await context.session.signIn({ interactive: false });
  const role = await pickRole(context, snapshot, { remembered: context.settings.lastRoleArnByProfile[context.profile.id] });
  await context.session.chooseRole(role.roleArn);
  const held = context.session.metadataCredentials();
  if (!held) throw new Error('The role was chosen but no credentials arrived.');
  return held;
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

/** `cloudtoken env`: export lines for a shell. */
export async function env(context: CliContext): Promise<void> {
  const held = await silentCredentials(context);
  context.io.stdout.write(formatEnvAssignments(context.options.shell, credentialVariables(held.credentials, { region: context.region })));
}

/** `cloudtoken credential-process`: JSON Version 1 for `credential_process` in ~/.aws/config. */
export async function credentialProcess(context: CliContext): Promise<void> {
  const held = await silentCredentials(context);
  context.io.stdout.write(formatCredentialProcessOutput(held.credentials));
}

/** `cloudtoken console`: the federation sign-in URL, opened in the browser or printed. */
export async function consoleUrl(context: CliContext): Promise<void> {
  // Refused before the sign-in, not after it: the same rule as --sts-endpoint.
  const { federationEndpoint } = context.options;
  if (federationEndpoint !== undefined) validateEndpointOverride(federationEndpoint, 'federation endpoint');
  const held = await silentCredentials(context);
  const url = await createConsoleSigninUrl({
    credentials: held.credentials,
    partition: held.role.partition,
    region: context.region,
    issuer: 'Cloudtoken',
    ...(federationEndpoint !== undefined ? { federationEndpoint } : {}),
  });
  if (context.options.json) {
    writeJson(context.io.stdout, { url, roleArn: held.role.roleArn });
    return;
  }
  if (context.options.print || !(await openInBrowser(url, context.io))) {
    context.io.stdout.write(`${url}\n`);
  } else {
    context.io.stdout.write(`Opened the AWS console as ${held.assumedRoleArn}.\n`);
  }
}
