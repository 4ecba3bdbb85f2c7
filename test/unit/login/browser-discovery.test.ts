import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserNotFoundError, findBrowser, findBrowserCandidates } from '../../../main/login/browser-discovery.js';

describe('findBrowserCandidates', () => {
  it('Linux: Chrome, then Edge, then Chromium, on every PATH directory, then fixed install places', () => {
    const candidates = findBrowserCandidates('linux', { PATH: '/home/u/bin:/usr/bin:relative' });
    expect(candidates.slice(0, 4)).toEqual([
      '/home/u/bin/google-chrome-stable',
      '/usr/bin/google-chrome-stable',
      '/home/u/bin/google-chrome',
      '/usr/bin/google-chrome',
    ]);
    expect(candidates.indexOf('/usr/bin/microsoft-edge')).toBeLessThan(candidates.indexOf('/usr/bin/chromium'));
    expect(candidates).toContain('/opt/google/chrome/chrome');
    expect(candidates).toContain('/snap/bin/chromium');
    expect(candidates.some((candidate) => candidate.startsWith('relative'))).toBe(false);
    expect(new Set(candidates).size).toBe(candidates.length);
  });

  it('macOS: the app bundles in /Applications and ~/Applications', () => {
    expect(findBrowserCandidates('darwin', { HOME: '/Users/u' }).slice(0, 3)).toEqual([
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Users/u/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ]);
  });

  it('Windows: per-user and machine-wide installs, whatever the case of the variable names', () => {
    const candidates = findBrowserCandidates('win32', {
      LocalAppData: 'C:\\Users\\u\\AppData\\Local',
      ProgramFiles: 'C:\\Program Files',
      'ProgramFiles(x86)': 'C:\\Program Files (x86)',
    });
    expect(candidates.slice(0, 3)).toEqual([
      'C:\\Users\\u\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe',
      'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
      'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
    ]);
    expect(candidates).toContain('C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe');
  });
});

describe('findBrowser on a real file system', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ct-discovery-'));
    for (const sub of ['a', 'b', 'c']) await fs.mkdir(path.join(dir, sub));
    await fs.writeFile(path.join(dir, 'a', 'google-chrome'), '', { mode: 0o644 }); // not executable
    await fs.mkdir(path.join(dir, 'b', 'microsoft-edge')); // a directory
    await fs.writeFile(path.join(dir, 'c', 'chromium'), '#!/bin/sh\n', { mode: 0o755 });
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('takes the first candidate that is an executable file', async () => {
    const env = { PATH: ['a', 'b', 'c'].map((sub) => path.join(dir, sub)).join(':') };
    await expect(findBrowser({ platform: 'linux', env })).resolves.toBe(path.join(dir, 'c', 'chromium'));
  });

  it('uses --browser PATH as given, or says it cannot', async () => {
    await expect(findBrowser({ platform: 'linux', env: {}, override: path.join(dir, 'c', 'chromium') })).resolves.toBe(path.join(dir, 'c', 'chromium'));
    const error = await findBrowser({ platform: 'linux', env: {}, override: path.join(dir, 'a', 'google-chrome') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BrowserNotFoundError);
    expect((error as Error).message).toContain(path.join(dir, 'a', 'google-chrome'));
  });

  it('lists every place it looked when nothing is installed', async () => {
    const checked: string[] = [];
    const error = await findBrowser({
      platform: 'linux',
      env: { PATH: path.join(dir, 'a') },
      isExecutable: async (file) => (checked.push(file), false),
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'BROWSER_NOT_FOUND', searched: checked });
    expect((error as Error).message).toContain('--browser PATH');
    for (const file of checked) expect((error as Error).message).toContain(file);
  });
});
