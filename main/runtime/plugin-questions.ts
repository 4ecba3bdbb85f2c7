import type { ActionResult, QuestionView } from '../../preload/contract.js';
import type { PluginQuestion } from '../plugins/api.js';
import { CloudtokenError } from '../support/errors.js';

/**
 * The tray app's prompt for sign-in source plugins: one question at a time, in the question window. The
 * answer goes to the plugin and nowhere else (no log, no file, no title, no notification). Cancel, closing
 * the window or signing out rejects with PROMPT_CANCELLED, as Ctrl-C at the CLI's prompt does; no answer in
 * time rejects with PROMPT_TIMEOUT.
 */

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export interface PluginQuestionsPorts {
  /** Opens (or brings up) the question window; its page then asks for the question. */
  show(): void;
  close(): void;
  timeoutMs?: number;
}

export interface PluginQuestions {
  /** The PluginPorts `prompt` of a profile's session. */
  ask(profileName: string, question: PluginQuestion): Promise<string>;
  /** What the question window in `webContentsId` shows (`question:get`). */
  current(webContentsId: number): QuestionView | null;
  answer(id: number, answer: string): ActionResult;
  /** Cancels the question `id`, or whichever is waiting; true when one was. */
  cancel(id?: number): boolean;
  /** A question window closed. */
  windowClosed(webContentsId: number): void;
  /** Brings up the window of the waiting question; false when none waits. */
  reveal(): boolean;
}

interface Waiting {
  view: QuestionView;
  /** The window whose page fetched the question: closing that one is the user's cancel. */
  shownIn: number | undefined;
  resolve(answer: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const cancelled = () => new CloudtokenError('PROMPT_CANCELLED', 'Cancelled.');

export function createPluginQuestions(ports: PluginQuestionsPorts): PluginQuestions {
  const timeoutMs = ports.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let waiting: Waiting | undefined;
  let nextId = 0;

  const settle = (outcome: { answer: string } | { error: Error }) => {
    const question = waiting;
    if (!question) return;
    waiting = undefined;
    clearTimeout(question.timer);
    ports.close();
    if ('answer' in outcome) question.resolve(outcome.answer);
    else question.reject(outcome.error);
  };

  return {
    ask(profileName, question) {
      // Sign-ins run one at a time, so a second question at once is a plugin asking in parallel.
      if (waiting) return Promise.reject(new CloudtokenError('PROMPT_BUSY', 'Cloudtoken is already waiting for the answer to another question; a sign-in plugin asks one question at a time.'));
      return new Promise<string>((resolve, reject) => {
        const minutes = Math.round(timeoutMs / 60_000);
        const timer = setTimeout(
          () => settle({ error: new CloudtokenError('PROMPT_TIMEOUT', `No answer came within ${minutes >= 1 ? `${minutes} min` : `${timeoutMs / 1000} s`}, so the sign-in was given up. Sign in again from the tray menu.`) }),
          timeoutMs,
        );
        waiting = { view: { id: ++nextId, profileName, label: question.label, secret: question.secret === true }, shownIn: undefined, resolve, reject, timer };
        ports.show();
      });
    },
    current(webContentsId) {
      if (!waiting) return null;
      waiting.shownIn = webContentsId;
      return { ...waiting.view };
    },
    answer(id, answer) {
      if (waiting?.view.id !== id) return { ok: false, message: 'This question is no longer waiting for an answer.' };
      settle({ answer });
      return { ok: true };
    },
    cancel(id) {
      if (!waiting || (id !== undefined && waiting.view.id !== id)) return false;
      settle({ error: cancelled() });
      return true;
    },
    windowClosed(webContentsId) {
      if (!waiting) return;
      if (waiting.shownIn === webContentsId) settle({ error: cancelled() });
      // The window of an earlier question closed after this one was asked: this one needs a window of its own.
      else ports.show();
    },
    reveal() {
      if (!waiting) return false;
      ports.show();
      return true;
    },
  };
}
