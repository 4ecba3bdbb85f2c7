import { describe, expect, it } from 'vitest';
import { createPluginQuestions } from '../../../main/runtime/plugin-questions.js';

function setUp(timeoutMs?: number) {
  const windows: string[] = [];
  const questions = createPluginQuestions({ show: () => windows.push('show'), close: () => windows.push('close'), ...(timeoutMs ? { timeoutMs } : {}) });
  return { questions, windows };
}

describe('the tray’s questions for sign-in plugins', () => {
  it('shows one question, takes its answer once, and closes the window', async () => {
    const { questions, windows } = setUp();
    const asked = questions.ask('Corp', { label: 'Password for alice', secret: true });
    expect(windows).toEqual(['show']);
    const view = questions.current(7)!;
    expect(view).toEqual({ id: view.id, profileName: 'Corp', label: 'Password for alice', secret: true });
    expect(questions.answer(view.id + 1, 'wrong question')).toMatchObject({ ok: false });
    expect(questions.answer(view.id, 's3cret')).toEqual({ ok: true });
    await expect(asked).resolves.toBe('s3cret');
    expect(windows).toEqual(['show', 'close']);
    expect(questions.current(7)).toBeNull();
    expect(questions.answer(view.id, 'again')).toMatchObject({ ok: false });
  });

  it('asks one question at a time', async () => {
    const { questions } = setUp();
    const first = questions.ask('Corp', { label: 'User name' });
    await expect(questions.ask('Corp', { label: 'Password', secret: true })).rejects.toMatchObject({ code: 'PROMPT_BUSY' });
    expect(questions.current(1)?.label).toBe('User name');
    questions.answer(questions.current(1)!.id, 'alice');
    await expect(first).resolves.toBe('alice');
  });

  it('Cancel, or closing the window that shows the question, rejects as the CLI’s Ctrl-C does', async () => {
    const { questions } = setUp();
    const cancelled = questions.ask('Corp', { label: 'Code' });
    expect(questions.cancel(questions.current(1)!.id + 1)).toBe(false);
    expect(questions.cancel(questions.current(1)!.id)).toBe(true);
    await expect(cancelled).rejects.toMatchObject({ code: 'PROMPT_CANCELLED', message: 'Cancelled.' });

    const closed = questions.ask('Corp', { label: 'Code' });
    questions.current(2);
    questions.windowClosed(2);
    await expect(closed).rejects.toMatchObject({ code: 'PROMPT_CANCELLED' });
  });

  it('a window of an earlier question closing late brings up the waiting one instead of cancelling it', async () => {
    const { questions, windows } = setUp();
    const first = questions.ask('Corp', { label: 'User name' });
    questions.answer(questions.current(1)!.id, 'alice');
    await first;
    const second = questions.ask('Corp', { label: 'Password', secret: true });
    questions.windowClosed(1);
    expect(windows).toEqual(['show', 'close', 'show', 'show']);
    questions.answer(questions.current(2)!.id, 'pw');
    await expect(second).resolves.toBe('pw');
  });

  it('gives up on a question nobody answers', async () => {
    const { questions, windows } = setUp(50);
    await expect(questions.ask('Corp', { label: 'Code' })).rejects.toMatchObject({ code: 'PROMPT_TIMEOUT', message: expect.stringContaining('0.05 s') });
    expect(windows).toEqual(['show', 'close']);
    expect(questions.reveal()).toBe(false);
  });
});
