import { PassThrough, Writable } from 'node:stream';
import type { CliIo } from '../../main/cli/context.js';

/** Cursor moves and line clears readline writes to a terminal. */
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const TERMINAL_CONTROL = /\x1b\[[0-9;]*[A-Za-z]/g;

/**
 * A stream that keeps what is written to it (`text`, without terminal control sequences), and tells when
 * something matching a pattern has been.
 */
export class Transcript extends Writable {
  text = '';
  isTTY = false;
  private waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString().replace(TERMINAL_CONTROL, '');
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.pattern.test(this.text)) return true;
      waiter.resolve();
      return false;
    });
    done();
  }

  /** Resolves once the text so far matches (counting from the start). */
  waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    if (pattern.test(this.text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Timed out waiting for ${pattern}; so far:\n${this.text}`)), timeoutMs);
      this.waiters.push({
        pattern,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

/** A keyboard for readline: raw mode is a no-op, and what the test types arrives as key presses. */
export class Keyboard extends PassThrough {
  isTTY = true;
  setRawMode(): this {
    return this;
  }
}

export interface FakeIo {
  io: CliIo;
  stdout: Transcript;
  stderr: Transcript;
  /** With `tty`: type text on the keyboard ("\r" is Enter, "\x03" is Ctrl-C). */
  keyboard: Keyboard | undefined;
}

/** What runCli talks to, in memory: standard input is a terminal with `tty`, else `input` then its end. */
export function fakeIo(options: { env?: Record<string, string | undefined>; homedir?: string; tty?: boolean; input?: string } = {}): FakeIo {
  const keyboard = options.tty ? new Keyboard() : undefined;
  const stdin = keyboard ?? new PassThrough();
  if (!keyboard) stdin.end(options.input ?? '');
  const stdout = new Transcript();
  const stderr = new Transcript();
  return {
    io: { stdin, stdout, stderr, env: options.env ?? {}, platform: 'linux', homedir: options.homedir ?? '/nonexistent-home' },
    stdout,
    stderr,
    keyboard,
  };
}
