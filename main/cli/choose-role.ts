import { resolveRoleChoice } from '../session/role-choice.js';
import type { SessionSnapshot } from '../session/types.js';
import type { SamlRole } from '../saml/types.js';
import { UsageError } from './args.js';
import type { CliContext } from './context.js';
import { ask, formatRoleList } from './prompt.js';

/**
 * The role a command works with: `--role`, else the remembered one the session restored, else the only one,
 * else the seed's numbered question on a terminal. Without a terminal, several roles need `--role`.
 */
export async function pickRole(context: CliContext, snapshot: SessionSnapshot, options: { remembered?: string } = {}): Promise<SamlRole> {
  const { roles } = snapshot;
  const labels = context.settings.accountLabels;
  if (context.options.role !== undefined) return resolveRoleChoice(roles, context.options.role, labels);
  const current = snapshot.metadataRoleArn ?? options.remembered;
  const restored = current !== undefined ? roles.find((role) => role.roleArn === current) : undefined;
  if (restored) return restored;
  if (roles.length === 1 && roles[0]) return roles[0];
  if (!context.io.stdin.isTTY) {
    throw new UsageError(`Your IdP offers ${roles.length} roles; choose one with --role (see \`cloudtoken roles\`).`);
  }
  context.io.stderr.write(`Available roles to choose from:\n${formatRoleList(roles, labels)}\n\n`);
  for (;;) {
    const answer = await ask({ input: context.io.stdin, output: context.io.stderr }, 'Enter number of role you want: ');
    try {
      return resolveRoleChoice(roles, answer, labels);
    } catch (error) {
      context.io.stderr.write(`${(error as Error).message}\n`);
    }
  }
}
