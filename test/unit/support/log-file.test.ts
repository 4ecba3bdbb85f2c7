import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupLogPath, createLogFileSink, teeSink } from '../../../main/support/log-file.js';
import { createLogger } from '../../../main/support/logger.js';

const dirs: string[] = [];
function logPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cloudtoken-log-'));
  dirs.push(dir);
  return join(dir, 'logs', 'tray.log');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('createLogFileSink', () => {
  it('appends lines to a private file in a folder it creates', () => {
    const path = logPath();
    const sink = createLogFileSink({ path });
    sink('first');
    sink('second');
    expect(readFileSync(path, 'utf8')).toBe('first\nsecond\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
  });

  it('never lets the file pass its cap: it rotates to one .1 backup, replacing the older one', () => {
    const path = logPath();
    const sink = createLogFileSink({ path, maxBytes: 100 });
    const line = (n: number) => `line ${String(n).padStart(3, '0')} ${'x'.repeat(20)}`; // 30 bytes with its newline
    for (let n = 0; n < 10; n++) {
      sink(line(n));
      expect(statSync(path).size).toBeLessThanOrEqual(100);
    }
    // 3 lines fit in 100 bytes: 0-2, 3-5, 6-8 went to files in turn; the newest backup holds 6-8.
    expect(readFileSync(path, 'utf8')).toBe(`${line(9)}\n`);
    expect(readFileSync(backupLogPath(path), 'utf8')).toBe([6, 7, 8].map((n) => `${line(n)}\n`).join(''));
    expect(existsSync(`${path}.2`)).toBe(false);
  });

  it('counts what an earlier run left in the file against the cap', () => {
    const path = logPath();
    createLogFileSink({ path })('create the folder');
    writeFileSync(path, 'y'.repeat(95));
    const sink = createLogFileSink({ path, maxBytes: 100 });
    sink('this line does not fit');
    expect(readFileSync(backupLogPath(path), 'utf8')).toBe('y'.repeat(95));
    expect(readFileSync(path, 'utf8')).toBe('this line does not fit\n');
  });

  it('keeps a single line longer than the cap rather than losing it', () => {
    const path = logPath();
    const sink = createLogFileSink({ path, maxBytes: 10 });
    sink('a line of more than ten bytes');
    expect(readFileSync(path, 'utf8')).toBe('a line of more than ten bytes\n');
  });

  it('says once when the file cannot be written, and the other sinks still get every line', () => {
    const path = logPath();
    createLogFileSink({ path })('make the folder');
    chmodSync(join(path, '..'), 0o500);
    rmSync(path, { force: true });
    const errors: unknown[] = [];
    const lines: string[] = [];
    const sink = teeSink(createLogFileSink({ path, onError: (error) => errors.push(error) }), (line) => lines.push(line));
    try {
      sink('one');
      sink('two');
    } finally {
      chmodSync(join(path, '..'), 0o700);
    }
    expect(errors).toHaveLength(process.getuid?.() === 0 ? 0 : 1);
    expect(lines).toEqual(['one', 'two']);
  });

  it('holds only what the logger redacted', () => {
    const path = logPath();
    const logger = createLogger({ name: 'tray', sink: createLogFileSink({ path }) });
    logger.warn('Posted SAMLResponse=PHNhbWxwOlJlc3BvbnNl to the ACS', { cookie: 'sid=102030', credentials: { SecretAccessKey: 'wJalrXUtnFEMI' } });
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('WARN [tray] Posted SAMLResponse=[redacted]');
    for (const secret of ['PHNhbWxwOlJlc3BvbnNl', 'sid=102030', 'wJalrXUtnFEMI']) expect(text).not.toContain(secret);
  });
});
