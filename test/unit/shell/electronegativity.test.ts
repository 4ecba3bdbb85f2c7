import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Electronegativity (Doyensec's Electron security linter) over the shell, the preload and the renderer
 * pages, failing on any finding of high severity. Its CLI exits 0 whatever it finds, so it runs here through
 * its modules: loader, parser, the atomic checks, then the global checks that confirm or drop findings.
 *
 * Not through its `run()`: that first downloads translations from an S3 bucket, and one global check
 * (AvailableSecurityFixesGlobalCheck) downloads Electron's release list from GitHub. Tests here send nothing
 * off this machine, so translations come from its bundled en-US file and that one check is left out (it
 * only says whether a newer Electron exists; package.json pins Electron 41).
 */

const root = new URL('../../..', import.meta.url).pathname;
const packageDir = join(root, 'node_modules', '@doyensec', 'electronegativity');
const load = createRequire(join(packageDir, 'package.json'));

interface Level {
  value: number;
  name: string;
}
interface Issue {
  file: string;
  sample: string;
  location: { line: number; column: number };
  id: string;
  severity: Level;
  confidence: Level;
  visibility?: { inlineDisabled: boolean; globalCheckDisabled: boolean };
}
type ParseResult = [type: number, data: unknown, content: unknown, warnings?: Array<{ message: string }>];
interface Electronegativity {
  Finder: new (custom: string[], exclude: string[]) => { find(file: string, data: unknown, type: number, content: unknown, only: null, version: string): Promise<Issue[]> };
  GlobalChecks: new (custom: string[], exclude: string[]) => { getResults(issues: Issue[], output: undefined): Promise<Issue[]> };
  LoaderDirectory: new () => { load(dir: string): Promise<void>; list_files: Iterable<string>; load_buffer(file: string): Buffer };
  Parser: new (babelFirst: boolean, typescriptBabelFirst: boolean) => { parse(file: string, content: Buffer): ParseResult };
  severity: Record<'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL', Level>;
}

function electronegativity(): Electronegativity {
  // Its checks describe themselves through i18n's global `__`: registered from the bundled translations.
  load('i18n').configure({ locales: ['en-US'], defaultLocale: 'en-US', directory: join(packageDir, 'dist', 'locales'), updateFiles: false, objectNotation: true, register: globalThis });
  return { ...load('./dist/finder'), ...load('./dist/loader'), ...load('./dist/parser') } as Electronegativity;
}

const ELECTRON_VERSION = (JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;

async function scan(directories: string[]): Promise<{ issues: Issue[]; parseErrors: string[]; files: number }> {
  const { Finder, GlobalChecks, LoaderDirectory, Parser } = electronegativity();
  const finder = new Finder([], []);
  const globalChecks = new GlobalChecks([], ['availablesecurityfixesglobalcheck']);
  const parser = new Parser(false, true);
  const issues: Issue[] = [];
  const parseErrors: string[] = [];
  let files = 0;
  for (const directory of directories) {
    const loader = new LoaderDirectory();
    await loader.load(join(root, directory));
    for (const file of loader.list_files) {
      files += 1;
      try {
        const [type, data, content] = parser.parse(file, loader.load_buffer(file));
        if (data !== null) issues.push(...(await finder.find(file, data, type, content, null, ELECTRON_VERSION)));
      } catch (error) {
        parseErrors.push(`${file}: ${(error as Error).message}`);
      }
    }
  }
  const confirmed = await globalChecks.getResults(issues, undefined);
  return { issues: confirmed.filter((i) => !i.visibility?.inlineDisabled && !i.visibility?.globalCheckDisabled), parseErrors, files };
}

/**
 * OPEN_EXTERNAL_JS_CHECK: every shell.openExternal call receives a URL that passed externalUrlAllowed
 * (https, no user-info) — the console sign-in link and links a page tries to open in a new window.
 * PRELOAD_JS_CHECK: the one preload is ours (dist/preload/index.cjs, absolute path), bundled from
 * preload/index.ts; it exposes two functions over the contract's channels and never ipcRenderer itself.
 */
const REVIEWED_MEDIUM = new Set(['OPEN_EXTERNAL_JS_CHECK', 'PRELOAD_JS_CHECK']);

const describeIssue = (i: Issue) => `${i.id} ${i.severity.name}/${i.confidence.name} ${i.file.replace(root, '')}:${i.location.line} ${i.sample.trim()}`;

describe('electronegativity', () => {
  it('finds nothing of high severity in the shell, the preload or the renderer pages', async () => {
    const { issues, parseErrors, files } = await scan(['main', 'preload', 'renderer']);
    expect(files).toBeGreaterThan(15);
    expect(parseErrors).toEqual([]);
    const high = issues.filter((issue) => issue.severity.value >= 3);
    expect(high.map(describeIssue)).toEqual([]);
    // Medium findings are review prompts; each kind was reviewed, and a new kind fails here until it is.
    const unreviewed = issues.filter((issue) => issue.severity.value === 2 && !REVIEWED_MEDIUM.has(issue.id));
    expect(unreviewed.map(describeIssue)).toEqual([]);
  }, 120_000);

  it('is a real check: it flags a window without context isolation in a scratch file', async () => {
    const { Finder, Parser } = electronegativity();
    const parser = new Parser(false, true);
    const code = Buffer.from("import { BrowserWindow } from 'electron';\nnew BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });\n");
    const [type, data, content] = parser.parse('/virtual/bad.ts', code);
    const found = await new Finder([], []).find('/virtual/bad.ts', data, type, content, null, ELECTRON_VERSION);
    expect(found.filter((i) => i.severity.value >= 3).map((i) => i.id)).toContain('CONTEXT_ISOLATION_JS_CHECK');
  });
});
