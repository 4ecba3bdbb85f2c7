import { CloudtokenError } from '../../../main/support/errors.js';
import { createServer } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../../main/cli/args.js';
import { reportFailure } from '../../../main/cli/failure.js';
import { startMetadataServer } from '../../../main/imds/server.js';
import { InteractionRequiredError } from '../../../main/login/capture.js';
import { BrowserLoginError } from '../../../main/login/browser.js';
import { StsError } from '../../../main/sts/errors.js';
import { ChannelRequestError } from '../../../main/channel/client.js';
import { freePort } from '../../support/free-ports.js';
import { fakeIo } from '../../support/cli-io.js';

const { io } = fakeIo();
const report = (error: unknown, argv: string[] = ['login'], env: Record<string, string> = {}) => reportFailure(error, parseCli(argv), { ...io, env });

describe('reportFailure', () => {
  it('exits 2 for usage, for a --role the IdP does not offer (here or in a running session) and for a missing one', () => {
    expect(report(new UsageError('Your IdP offers 4 roles; choose one with --role.')).code).toBe(2);
    expect(report(new CloudtokenError('ROLE_CHOICE_UNKNOWN', 'Your identity provider does not offer the role "Nope".')).code).toBe(2);
    expect(report(new ChannelRequestError('ROLE_CHOICE_AMBIGUOUS', 'More than one account offers a role named ReadOnly.'), ['env']).code).toBe(2);
  });

  it('exits 130 when a prompt was cancelled with Ctrl-C, wherever the sign-in wrapped it', () => {
    const cancelled = new CloudtokenError('PROMPT_CANCELLED', 'Cancelled.');
    expect(report(cancelled)).toEqual({ lines: ['Cancelled.'], code: 130 });
    expect(report(new StsError('STS_NETWORK', 'x', { cause: cancelled })).code).toBe(130);
  });

  it('exits 3 with the way back when the IdP wants the user', () => {
    expect(report(new InteractionRequiredError(), ['roles'])).toEqual({
      lines: ['Your identity provider wants you to sign in again.', 'Sign in again with `cloudtoken login`.'],
      code: 3,
    });
  });

  it('tells one-shot commands to run again after a passing fault, and promises no retry', () => {
    const throttled = new StsError('STS_THROTTLED', 'AWS STS is throttling requests at https://sts.amazonaws.com.');
    for (const command of ['env', 'credential-process', 'console', 'roles']) {
      const { lines, code } = report(throttled, [command]);
      expect(code).toBe(1);
      expect(lines[1]).toMatch(/this command does not retry: run it again in a moment/);
      expect(lines.join(' ')).not.toMatch(/will try again/);
    }
    expect(report(throttled, ['daemon']).lines).toHaveLength(1);
    expect(report(new StsError('STS_ACCESS_DENIED', 'Denied.'), ['env']).lines).toEqual(['Denied.']);
  });

  it('hints --form and --headless when the system browser cannot start for want of a display', () => {
    const failed = new BrowserLoginError('BROWSER_LAUNCH_FAILED', 'Could not start the browser /usr/bin/chromium (Missing X server or $DISPLAY).');
    const [, hint] = report(failed).lines;
    expect(hint).toMatch(/There is no display here .*--form .*--headless --username U --password-stdin/);
    expect(report(failed, ['login'], { DISPLAY: ':0' }).lines).toHaveLength(1);
    expect(report(failed, ['login', '--headless']).lines).toHaveLength(1);
  });

  it('says to pass --port N where the tray says to change the settings', async () => {
    const port = await freePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const error = await startMetadataServer({ app: express(), host: '127.0.0.1', port }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as Error).message).toMatch(/choose another port in the settings\.$/);
      const [line] = report(error, ['daemon']).lines;
      expect(line).toMatch(new RegExp(`^Port ${port} on 127\\.0\\.0\\.1 is already in use, .* Quit it, or pass another port with --port N\\.$`));
    } finally {
      holder.close();
    }
  });
});
