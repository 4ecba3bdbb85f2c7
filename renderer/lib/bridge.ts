import type { CloudtokenBridge } from '../../preload/contract.js';

declare global {
  interface Window {
    /** Installed by preload/index.ts (or a test's fake); pages reach it only through `bridge()`. */
    cloudtoken?: CloudtokenBridge;
  }
}

/** The single access point to main: every page talks through this and nothing else. */
export function bridge(): CloudtokenBridge {
  const api = window.cloudtoken;
  if (!api) throw new Error('Cloudtoken bridge missing: this page must be opened by the Cloudtoken app.');
  return api;
}
