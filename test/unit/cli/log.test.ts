import { describe, expect, it } from 'vitest';
import { cliLogger } from '../../../main/cli/log.js';
import { fakeIo } from '../../support/cli-io.js';

describe('the CLI logger', () => {
  it('writes no log line at all for silent commands without -v', () => {
    const { io, stderr } = fakeIo();
    const logger = cliLogger({ verbose: false, showWarnings: false }, io);
    logger.warn('STS asked us to slow down or failed; retrying', { attempt: 1, delayMs: 200 });
    logger.error('boom');
    logger.info('Exchanging the SAML assertion at STS');
    expect(stderr.text).toBe('');
  });

  it('writes a watched command’s warnings as one plain sentence, secrets redacted', () => {
    const { io, stderr } = fakeIo();
    const logger = cliLogger({ verbose: false, showWarnings: true }, io);
    logger.debug('detail');
    logger.warn('Could not save the role choice', { reason: 'EACCES: permission denied', attempt: 2 });
    logger.warn('Odd', { error: new Error('cookie=abc123') });
    expect(stderr.text).toBe('cloudtoken: Could not save the role choice: EACCES: permission denied\ncloudtoken: Odd: cookie=[redacted]\n');
  });

  it('writes every level with its fields under -v', () => {
    const { io, stderr } = fakeIo();
    const logger = cliLogger({ verbose: true, showWarnings: false }, io);
    logger.debug('Channel request', { type: 'hello' });
    logger.warn('retrying', { attempt: 1, password: 'hunter2' });
    const lines = stderr.text.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\S+Z DEBUG Channel request \{"type":"hello"\}$/);
    expect(lines[1]).toMatch(/WARN retrying \{"attempt":1,"password":"\[redacted\]"\}$/);
  });
});
