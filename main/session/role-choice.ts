import { CloudtokenError } from '../support/errors.js';
import type { SamlRole } from '../saml/types.js';

/**
 * Find the role a person means: a full role ARN, a role name (unique among the offered roles),
 * `<account-id>/<name>`, `<account label>/<name>`, or the number shown in a numbered list (1-based).
 */
export function resolveRoleChoice(roles: readonly SamlRole[], input: string, accountLabels: Readonly<Record<string, string>> = {}): SamlRole {
  const wanted = input.trim();
  if (wanted === '') throw new CloudtokenError('ROLE_CHOICE_EMPTY', 'No role was given.');
  if (/^\d{1,4}$/.test(wanted)) {
    const role = roles[Number(wanted) - 1];
    if (role) return role;
    throw new CloudtokenError('ROLE_CHOICE_RANGE', `There is no role number ${wanted}; choose 1 to ${roles.length}.`);
  }
  const byArn = roles.find((role) => role.roleArn === wanted);
  if (byArn) return byArn;
  const slash = wanted.lastIndexOf('/');
  const account = slash > 0 ? wanted.slice(0, slash) : undefined;
  const name = slash > 0 ? wanted.slice(slash + 1) : wanted;
  const matches = roles.filter(
    (role) =>
      role.roleName.toLowerCase() === name.toLowerCase() &&
      (account === undefined || role.accountId === account || accountLabels[role.accountId]?.toLowerCase() === account.toLowerCase()),
  );
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1) {
    throw new CloudtokenError(
      'ROLE_CHOICE_AMBIGUOUS',
      `More than one account offers a role named ${name}: ${matches.map((r) => r.roleArn).join(', ')}. Give the role ARN or <account>/${name}.`,
    );
  }
  throw new CloudtokenError(
    'ROLE_CHOICE_UNKNOWN',
    `Your identity provider does not offer the role "${wanted}". Offered: ${roles.map((r) => r.roleArn).join(', ') || 'none'}.`,
  );
}
