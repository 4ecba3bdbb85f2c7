import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogSink } from './logger.js';

/**
 * The tray app's log on disk: an app started from Finder, launchd or a Windows login item has nowhere to write
 * stderr. Lines arrive already redacted (the logger redacts before any sink). The file is capped: once a line
 * would take it past `maxBytes` it becomes `<file>.1` (replacing the previous backup) and a new file starts, so
 * the log never takes more than twice the cap. Written synchronously, so the last lines before a crash are kept.
 */

export const LOG_FILE_MAX_BYTES = 1024 * 1024;

export interface LogFileOptions {
  path: string;
  maxBytes?: number;
  /** Told once when the file cannot be written; logging goes on elsewhere. */
  onError?: (error: unknown) => void;
}

export function backupLogPath(path: string): string {
  return `${path}.1`;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function createLogFileSink({ path, maxBytes = LOG_FILE_MAX_BYTES, onError }: LogFileOptions): LogSink {
  let size: number | undefined;
  let failed = false;
  return (line) => {
    if (failed) return;
    const text = `${line}\n`;
    const bytes = Buffer.byteLength(text);
    try {
      if (size === undefined) {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        size = sizeOf(path);
      }
      if (size > 0 && size + bytes > maxBytes) {
        renameSync(path, backupLogPath(path));
        size = 0;
      }
      appendFileSync(path, text, { mode: 0o600 });
      size += bytes;
    } catch (error) {
      failed = true;
      onError?.(error);
    }
  };
}

/** Every line to each sink. */
export function teeSink(...sinks: LogSink[]): LogSink {
  return (line) => {
    for (const sink of sinks) sink(line);
  };
}
