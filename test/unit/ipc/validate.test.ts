import { describe, expect, it } from 'vitest';
import { validateRequest } from '../../../main/ipc/validate.js';
import { defaultSettings } from '../../../main/settings/schema.js';

const arn = 'arn:aws:iam::123456789012:role/Admin';

describe('validateRequest', () => {
  it('passes well-formed payloads on, rebuilt without extra keys', () => {
    expect(validateRequest('cloudtoken:roles:choose', { roleArn: arn, extra: 'x' })).toEqual({ ok: true, value: { roleArn: arn } });
    expect(validateRequest('cloudtoken:roles:keep-active', { roleArn: arn, keep: false })).toEqual({ ok: true, value: { roleArn: arn, keep: false } });
    expect(validateRequest('cloudtoken:status:copy', { target: 'container-env-sh' })).toEqual({ ok: true, value: { target: 'container-env-sh' } });
    expect(validateRequest('cloudtoken:login:navigate', { action: 'back' })).toEqual({ ok: true, value: { action: 'back' } });
    expect(validateRequest('cloudtoken:roles:get', undefined)).toEqual({ ok: true, value: undefined });
    expect(validateRequest('cloudtoken:question:answer', { id: 3, answer: 'pa ss', extra: 1 })).toEqual({ ok: true, value: { id: 3, answer: 'pa ss' } });
    expect(validateRequest('cloudtoken:question:cancel', { id: 3 })).toEqual({ ok: true, value: { id: 3 } });
    expect(validateRequest('cloudtoken:settings:save', { ...defaultSettings(), __proto__x: 1 })).toEqual({ ok: true, value: defaultSettings() });
  });

  it.each([
    ['cloudtoken:roles:choose', { roleArn: 'arn:aws:iam::123:role/x' }],
    ['cloudtoken:roles:choose', 'arn:aws:iam::123456789012:role/Admin'],
    ['cloudtoken:roles:keep-active', { roleArn: arn, keep: 'yes' }],
    ['cloudtoken:status:copy', { target: 'secret-key' }],
    ['cloudtoken:status:copy', { target: 'toString' }],
    ['cloudtoken:login:navigate', { action: 'javascript:alert(1)' }],
    ['cloudtoken:login:cancel', { anything: true }],
    ['cloudtoken:roles:get', null],
    ['cloudtoken:question:answer', { id: 1 }],
    ['cloudtoken:question:answer', { id: 0, answer: 'x' }],
    ['cloudtoken:question:answer', { id: 1.5, answer: 'x' }],
    ['cloudtoken:question:answer', { id: 1, answer: 'x'.repeat(4097) }],
    ['cloudtoken:question:cancel', { id: '1' }],
  ] as const)('refuses %s with %j', (channel, payload) => {
    const result = validateRequest(channel, payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.length).toBeGreaterThan(5);
  });

  it('never repeats a refused answer, which may be a secret', () => {
    const result = validateRequest('cloudtoken:question:answer', { id: 'x', answer: 'hunter2' });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('refuses invalid settings with the field errors the page shows', () => {
    const result = validateRequest('cloudtoken:settings:save', { ...defaultSettings(), imdsPort: 80 });
    expect(result).toMatchObject({ ok: false, errors: [{ field: 'imdsPort' }] });
  });
});
