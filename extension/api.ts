/** Firefox's promise-based `browser`, else Chrome's `chrome` (promise-based too in Manifest V3). */
export const api: WebExtApi = typeof browser !== 'undefined' && browser ? browser : chrome;

/** What the user chose in the options page, per browser profile (storage.local is per profile). */
export const LET_CONSOLE_THROUGH = 'letConsoleThrough';
/** What the background last heard from the host, for the options page. */
export const HOST_STATE = 'hostState';
