/**
 * Opening Cloudtoken again while it runs. Windows and Linux start a second instance, which hands over to this
 * one (`second-instance`); macOS instead sends the running app `activate` when it is opened again from Finder,
 * Spotlight or Launchpad. A tray-only app (LSUIElement) whose menu-bar icon hides behind the notch has no other
 * way back to its windows, so both mean the same.
 */

export type ReopenEvent = 'second-instance' | 'activate';

export interface ReopenSource {
  on(event: ReopenEvent, listener: () => void): unknown;
}

export function onReopen(app: ReopenSource, reopen: () => void): void {
  app.on('second-instance', reopen);
  app.on('activate', reopen);
}
