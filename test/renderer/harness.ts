import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PushChannel, PushPayload, RequestChannel, ResponseOf, WindowKind } from '../../preload/contract.js';

/**
 * Drives the built renderer pages in Debian's Chromium: a loopback HTTP server for dist/renderer (so the
 * pages' CSP `'self'` means what it means in the app), and a fake `window.cloudtoken` implementing the
 * preload contract, which records every request and lets a test push updates.
 */

const root = new URL('../..', import.meta.url).pathname;
const distRenderer = join(root, 'dist', 'renderer');
export const SCREENSHOTS = join(root, 'test', 'renderer', 'screenshots');
const PAGES: WindowKind[] = ['login', 'roles', 'settings', 'status', 'question'];

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function rendererStale(): boolean {
  const built = PAGES.map((page) => join(distRenderer, page, 'main.js'));
  const sources = ['renderer', 'preload/contract.ts', 'main/tray', 'main/settings'].map((path) => join(root, path));
  return built.some((file) => !existsSync(file)) || Math.min(...built.map((file) => statSync(file).mtimeMs)) < Math.max(...sources.map(newestMtime));
}

/**
 * Build when dist/renderer is missing or older than what the pages are made of. Test files run in parallel
 * workers and the build empties dist/ first, so one worker builds while the others wait on a lock folder.
 */
export function ensureRendererBuilt(): void {
  if (!rendererStale()) return;
  const lock = join(tmpdir(), `cloudtoken-renderer-build-${Buffer.from(root).toString('hex').slice(-16)}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`another test run holds ${lock}; remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (rendererStale()) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  } finally {
    rmdirSync(lock);
  }
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

export async function serveRenderer(): Promise<StaticServer> {
  const server = createServer((request, response) => {
    // Chromium asks for a favicon the app's windows never load; answer it so it is no console error.
    if (request.url === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    const path = normalize(join(distRenderer, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(distRenderer + sep) || !existsSync(path) || statSync(path).isDirectory()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

/** Canned answers per channel, typed by the contract. */
export type FakeResponses = { [C in RequestChannel]?: ResponseOf<C> };
export interface RecordedCall {
  channel: RequestChannel;
  request: unknown;
}

interface FakeBridgeHandle {
  calls: RecordedCall[];
  responses: FakeResponses;
  push(channel: PushChannel, payload: unknown): void;
}

declare global {
  interface Window {
    __fakeBridge?: FakeBridgeHandle;
  }
}

/** Runs in the page before its scripts: a `window.cloudtoken` with the preload's shape (two functions). */
function installFakeBridge(responses: FakeResponses): void {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const handle: FakeBridgeHandle = {
    calls: [],
    responses,
    push(channel, payload) {
      for (const listener of listeners.get(channel) ?? []) listener(structuredClone(payload));
    },
  };
  window.__fakeBridge = handle;
  window.cloudtoken = {
    invoke(channel: RequestChannel, ...request: unknown[]) {
      handle.calls.push({ channel, request: request[0] });
      const answer = handle.responses[channel];
      if (answer === undefined) return Promise.reject(new Error(`fake bridge: no answer for ${channel}`));
      return Promise.resolve(structuredClone(answer));
    },
    subscribe(channel: PushChannel, listener: (payload: unknown) => void) {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  } as never;
}

export interface OpenedPage {
  page: Page;
  /** Console errors and CSP violations seen so far. */
  problems: string[];
  calls(channel?: RequestChannel): Promise<RecordedCall[]>;
  respond<C extends RequestChannel>(channel: C, response: ResponseOf<C>): Promise<void>;
  push<P extends PushChannel>(channel: P, payload: PushPayload<P>): Promise<void>;
  screenshot(name: string): Promise<void>;
}

export async function openPage(
  browser: Browser,
  server: StaticServer,
  kind: WindowKind,
  responses: FakeResponses,
  viewport: { width: number; height: number },
): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport, timezoneId: 'UTC', locale: 'en-GB', reducedMotion: 'reduce', deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.addInitScript(installFakeBridge, responses);
  await page.goto(`${server.url}${kind}/index.html`);
  await page.waitForFunction(() => (window.__fakeBridge?.calls.length ?? 0) > 0);
  return {
    page,
    problems,
    calls: (channel) => page.evaluate((only) => window.__fakeBridge!.calls.filter((call) => !only || call.channel === only), channel),
    respond: (channel, response) =>
      page.evaluate(([c, r]) => {
        (window.__fakeBridge!.responses as Record<string, unknown>)[c] = r;
      }, [channel, response] as const),
    push: (channel, payload) => page.evaluate(([c, p]) => window.__fakeBridge!.push(c, p), [channel, payload] as const),
    // The window as a user sees it (pages scroll inside their own body, so a viewport shot is the window).
    // Font rendering differs by a few pixels from run to run, so the committed shots the README shows are
    // replaced only on request; other runs leave an ignored .tmp.png beside each to look at.
    screenshot: async (name) => {
      await page.evaluate(() => document.fonts.ready);
      const file = process.env.UPDATE_SCREENSHOTS === '1' ? `${name}.png` : `${name}.tmp.png`;
      await page.screenshot({ path: join(SCREENSHOTS, file), animations: 'disabled', caret: 'hide' });
    },
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core in the page (evaluated over CDP, which the page's CSP does not govern). */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** Tries to run an inline script the way an injection would; true when it ran (the CSP failed). */
export async function inlineScriptRuns(page: Page): Promise<{ ran: boolean; violations: string[] }> {
  return page.evaluate(async () => {
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (event) => violations.push(event.violatedDirective));
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true;';
    document.body.append(script);
    const handler = document.createElement('img');
    handler.setAttribute('onerror', 'window.__inlineRan = true;');
    handler.setAttribute('src', 'data:image/png;base64,AAAA');
    document.body.append(handler);
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { ran: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true, violations };
  });
}


/**
 * One Chromium and one page server per test file: registers the hooks that start and stop them and
 * returns how to open a page with its fake bridge.
 */
export function rendererSuite(): {
  open(kind: WindowKind, responses: FakeResponses, viewport: { width: number; height: number }): Promise<OpenedPage>;
} {
  let browser: Browser | undefined;
  let server: StaticServer | undefined;
  beforeAll(async () => {
    ensureRendererBuilt();
    server = await serveRenderer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return { open: (kind, responses, viewport) => openPage(browser!, server!, kind, responses, viewport) };
}
