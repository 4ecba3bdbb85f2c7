// The user agents below are Electron 41's defaults as its documentation and source build them; that Google
// Workspace accepts the result is checked by Google on a real machine, not here.
import { describe, expect, it } from 'vitest';
import { chromeUserAgent } from '../../../main/login/idp-user-agent.js';

describe('chromeUserAgent', () => {
  it.each([
    [
      'Linux',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) cloudtoken/0.1.0 Chrome/146.0.7680.72 Electron/41.10.6 Safari/537.36',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0.0.0 Safari/537.36',
    ],
    [
      'macOS, packaged under its product name',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Cloudtoken/0.1.0 Chrome/146.0.7680.72 Electron/41.10.6 Safari/537.36',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0.0.0 Safari/537.36',
    ],
    [
      'Windows',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Cloudtoken/0.1.0 Chrome/146.0.7680.72 Electron/41.10.6 Safari/537.36',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0.0.0 Safari/537.36',
    ],
  ])('%s: the Chrome user agent with no Electron or app token', (_platform, electron, chrome) => {
    expect(chromeUserAgent(electron)).toBe(chrome);
  });

  it('leaves a Chrome user agent as it is', () => {
    const chrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0.0.0 Safari/537.36';
    expect(chromeUserAgent(chrome)).toBe(chrome);
  });

  it('keeps the platform in parentheses even where it holds slashes', () => {
    expect(chromeUserAgent('Mozilla/5.0 (X11; CrOS x86_64 14541.0.0/1) AppleWebKit/537.36 (KHTML, like Gecko) app/1 Chrome/146.0.1.2 Electron/41.0.0 Safari/537.36')).toBe(
      'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0/1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0.0.0 Safari/537.36',
    );
  });
});
