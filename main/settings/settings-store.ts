import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { withFileLock } from '../support/file-lock.js';
import { describeError } from '../support/errors.js';
import { silentLogger, type Logger } from '../support/logger.js';
import { oneAtATime } from '../support/one-at-a-time.js';
import type { Settings } from './schema.js';
import { loadSettingsFile, saveSettingsFile } from './settings-file.js';
import { lockPathFor } from './state-file.js';

/**
 * The one settings store of the tray app, the CLI and every daemon sharing a state folder. Nobody holds a copy
 * to write back: each change is a read-merge-write of the fields it concerns, under the settings file's lock,
 * so a role chosen in the CLI and a profile added in the tray both survive. Each front end learns of the
 * others' changes through `watch` (file-change notification, no polling: an idle daemon stays idle).
 */
export interface SettingsStore {
  readonly path: string;
  /** The settings as the file holds them now. */
  load(): Promise<Settings>;
  /**
   * Re-reads the file under its lock, lets `change` edit that fresh copy, validates and writes it (only when
   * something changed). Resolves with what the file now holds; invalid results throw and write nothing.
   */
  update(change: (settings: Settings) => void): Promise<Settings>;
  /** Calls `listener` with the new settings after every change to the file by anyone (this store included). */
  watch(listener: (settings: Settings) => void): () => void;
}

/** How settings reach the file: the plain JSON codec (CLI), or electron-store on the same file (tray app). */
export interface SettingsBackend {
  load(): Promise<Settings>;
  save(settings: Settings): Promise<void>;
}

export function settingsFileBackend(path: string): SettingsBackend {
  return { load: () => loadSettingsFile(path), save: (settings) => saveSettingsFile(path, settings) };
}

/** Editors write in bursts (truncate, write, rename): one report once the file has settled. */
const SETTLE_MS = 40;

export function createSettingsStore(options: { path: string; backend?: SettingsBackend; logger?: Logger }): SettingsStore {
  const { path } = options;
  const backend = options.backend ?? settingsFileBackend(path);
  const logger = options.logger ?? silentLogger;
  const serialized = oneAtATime();

  return {
    path,
    load: () => backend.load(),
    update(change) {
      return serialized(() =>
        withFileLock(lockPathFor(path), async () => {
          const latest = await backend.load();
          const next = structuredClone(latest);
          change(next);
          if (JSON.stringify(next) === JSON.stringify(latest)) return latest;
          await backend.save(next);
          return backend.load();
        }),
      );
    },
    watch(listener) {
      const folder = dirname(path);
      const name = basename(path);
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      let seen: string | undefined;
      let timer: NodeJS.Timeout | undefined;
      let closed = false;
      const report = () => {
        timer = undefined;
        backend
          .load()
          .then((settings) => {
            const text = JSON.stringify(settings);
            if (closed || text === seen) return;
            seen = text;
            listener(settings);
          })
          // Half-written by an editor, or damaged: the next change is reported; the last good settings stay.
          .catch((error: unknown) => logger.debug('The settings file changed but could not be read', { reason: describeError(error) }));
      };
      backend
        .load()
        .then((settings) => (seen ??= JSON.stringify(settings)))
        .catch(() => undefined);
      // The folder, not the file: an atomic write replaces the file, and a watch on the old one hears nothing.
      const watcher: FSWatcher = watch(folder, { persistent: false }, (_event, file) => {
        if (file !== name) return;
        clearTimeout(timer);
        timer = setTimeout(report, SETTLE_MS);
      });
      watcher.on('error', (error) => logger.warn('Cloudtoken stopped noticing changes to its settings file', { reason: describeError(error) }));
      return () => {
        closed = true;
        clearTimeout(timer);
        watcher.close();
      };
    },
  };
}
