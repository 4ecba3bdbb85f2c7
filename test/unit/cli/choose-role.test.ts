import { describe, expect, it } from 'vitest';
import { parseCli } from '../../../main/cli/args.js';
import { pickRole } from '../../../main/cli/choose-role.js';
import type { CliContext } from '../../../main/cli/context.js';
import { reportFailure } from '../../../main/cli/failure.js';
import { parseRolePair } from '../../../main/saml/role-arn.js';
import type { SessionSnapshot } from '../../../main/session/types.js';
import { fakeIo, type FakeIo } from '../../support/cli-io.js';

const ROLES = ['111111111111:role/Developer', '222222222222:role/Admin', '222222222222:role/ReadOnly'].map((tail) => {
  const [account] = tail.split(':');
  return parseRolePair(`arn:aws:iam::${tail},arn:aws:iam::${account}:saml-provider/Corp`);
});

function setUp(argv: string[], io: FakeIo): CliContext {
  return { options: parseCli(argv), io: io.io, settings: { accountLabels: { '222222222222': 'prod' } } } as unknown as CliContext;
}

const offered = (change: Partial<SessionSnapshot> = {}) => ({ roles: ROLES, metadataRoleArn: undefined, ...change }) as SessionSnapshot;

/** What pickRole threw, as the command line reports it. */
async function failure(promise: Promise<unknown>, io: FakeIo, argv: string[]) {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeDefined();
  return reportFailure(error, parseCli(argv), io.io);
}

describe('pickRole', () => {
  it('takes --role, else the role the session restored or the remembered one, else the only one', async () => {
    const io = fakeIo();
    expect(await pickRole(setUp(['login', '--role', 'prod/readonly'], io), offered())).toBe(ROLES[2]);
    expect(await pickRole(setUp(['login'], io), offered({ metadataRoleArn: ROLES[1]!.roleArn }))).toBe(ROLES[1]);
    expect(await pickRole(setUp(['env'], io), offered(), { remembered: ROLES[0]!.roleArn })).toBe(ROLES[0]);
    expect(await pickRole(setUp(['env'], io), offered({ roles: [ROLES[2]!] }))).toBe(ROLES[2]);
    expect(io.stderr.text).toBe('');
  });

  it('exits 2 both for a --role the IdP does not offer and for several roles without --role and without a terminal', async () => {
    const io = fakeIo();
    const unknown = await failure(pickRole(setUp(['env', '--role', 'Nope'], io), offered()), io, ['env']);
    expect(unknown).toEqual({ lines: [expect.stringMatching(/^Your identity provider does not offer the role "Nope"\. Offered: /)], code: 2 });
    const unchosen = await failure(pickRole(setUp(['env'], io), offered()), io, ['env']);
    expect(unchosen).toEqual({ lines: ['Your IdP offers 3 roles; choose one with --role (see `cloudtoken roles`).'], code: 2 });
  });

  it('asks on a terminal with the numbered list, and again after an answer that names no role', async () => {
    const io = fakeIo({ tty: true });
    const picked = pickRole(setUp(['login'], io), offered());
    await io.stderr.waitFor(/Enter number of role you want: $/);
    expect(io.stderr.text).toContain('Available roles to choose from:\n    1. arn:aws:iam::111111111111:role/Developer\n    2. arn:aws:iam::222222222222:role/Admin  (prod)\n');
    io.keyboard!.write('7\r');
    await io.stderr.waitFor(/There is no role number 7; choose 1 to 3\.\nEnter number of role you want: $/);
    io.keyboard!.write('2\r');
    expect(await picked).toBe(ROLES[1]);
  });

  it('exits 130 on Ctrl-C at the role question', async () => {
    const io = fakeIo({ tty: true });
    const picked = pickRole(setUp(['login'], io), offered());
    await io.stderr.waitFor(/Enter number of role you want: $/);
    io.keyboard!.write('\x03');
    expect(await failure(picked, io, ['login'])).toEqual({ lines: ['Cancelled.'], code: 130 });
  });
});
