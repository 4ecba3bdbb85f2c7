import { WebContentsView, type BrowserWindow, type Session } from 'electron';
import { LOGIN_CHROME_HEIGHT, type LoginWindowState } from '../../preload/contract.js';
import type { LoginSurface, LoginSurfaceRequest } from '../login/embedded-authenticator.js';
import { initialLoginState, loadFailureMessage, nextLoginState, type LoginViewEvent } from './login-window-state.js';
import type { Logger } from '../support/logger.js';
import { createPageWindow, type PageLocation, type WindowRegistry } from './windows.js';

/**
 * The login window: Cloudtoken's toolbar page (renderer/login) with the IdP's real page below it in a
 * WebContentsView of the profile's own persistent partition — sandboxed, isolated, no preload, no Node.
 * The capture itself happens in the partition's webRequest listener (capture.ts); this file only shows.
 */

export interface LoginWindowOptions {
  profileName: string;
  /** The partition session (`session.fromPartition(loginPartition(id))`), hardened and capture-registered. */
  idpSession: Session;
  location: PageLocation;
  registry: WindowRegistry;
  logger: Logger;
}

export interface LoginWindows {
  /** The embedded authenticator's `openSurface`. */
  open(request: LoginSurfaceRequest): LoginSurface;
  /** What the login page shows (`cloudtoken:login:get`). */
  state(): LoginWindowState;
  navigate(action: 'back' | 'reload'): boolean;
}

export function createLoginWindows(options: LoginWindowOptions): LoginWindows {
  let current: { window: BrowserWindow; view: WebContentsView; url: string; state: LoginWindowState } | undefined;

  const update = (entry: NonNullable<typeof current>, event: LoginViewEvent) => {
    entry.state = nextLoginState(entry.state, event);
    if (!entry.window.isDestroyed()) entry.window.webContents.send('cloudtoken:push:login', entry.state);
  };

  return {
    open(request) {
      const window = createPageWindow('login', options.location, options.registry);
      const view = new WebContentsView({
        webPreferences: {
          session: options.idpSession,
          sandbox: true,
          contextIsolation: true,
          nodeIntegration: false,
          webSecurity: true,
          allowRunningInsecureContent: false,
          webviewTag: false,
          navigateOnDragDrop: false,
          // No middle-click (auxclick) events: no page here needs them (Electronegativity's advice).
          disableBlinkFeatures: 'Auxclick',
          // A silent attempt runs in a hidden window: its IdP page must still run at full speed to post.
          backgroundThrottling: false,
        },
      });
      const entry = {
        window,
        view,
        url: request.url,
        state: initialLoginState(options.profileName, request.notice),
      };
      current = entry;
      const contents = view.webContents;

      // Attached and sized before loading: a view loaded unattached lays the page out at 0×0.
      const layout = () => {
        const { width, height } = window.getContentBounds();
        view.setBounds({ x: 0, y: LOGIN_CHROME_HEIGHT, width, height: Math.max(0, height - LOGIN_CHROME_HEIGHT) });
      };
      window.contentView.addChildView(view);
      layout();
      window.on('resize', layout);

      const navigated = () => update(entry, { type: 'navigated', url: contents.getURL(), canGoBack: contents.navigationHistory.canGoBack() });
      contents.on('did-start-loading', () => update(entry, { type: 'started-loading' }));
      contents.on('did-stop-loading', () => update(entry, { type: 'stopped-loading' }));
      contents.on('did-navigate', navigated);
      contents.on('did-navigate-in-page', navigated);
      contents.on('did-fail-load', (_event, errorCode, errorDescription, url, isMainFrame) => {
        const message = loadFailureMessage({ errorCode, errorDescription, url, isMainFrame });
        if (message) request.onLoadFailed(message);
      });

      let closing = false;
      window.on('close', () => {
        window.contentView.removeChildView(view);
        // Closing the window does not free the view's page.
        if (!contents.isDestroyed()) contents.close();
      });
      window.on('closed', () => {
        if (current === entry) current = undefined;
        if (!closing) request.onCancel();
      });

      // The window's own webContents (the toolbar page) takes the keyboard when the window shows; the user
      // has come to type into the IdP's page, so that gets it.
      const showFocused = () => {
        window.show();
        window.focus();
        if (!contents.isDestroyed()) contents.focus();
      };

      void contents.loadURL(request.url);
      if (request.visible) window.once('ready-to-show', showFocused);

      return {
        webContentsId: contents.id,
        reveal({ focus, notice }) {
          update(entry, { type: 'revealed', notice });
          if (window.isDestroyed()) return;
          if (focus) showFocused();
          else if (!window.isVisible()) window.showInactive();
        },
        showCaptured() {
          view.setVisible(false);
          update(entry, { type: 'captured' });
        },
        showFailure(message) {
          view.setVisible(false);
          update(entry, { type: 'failed', message });
        },
        close() {
          closing = true;
          if (!window.isDestroyed()) window.close();
        },
      };
    },
    state() {
      return current?.state ?? { phase: 'failed', profileName: options.profileName, url: undefined, canGoBack: false, notice: undefined, message: 'No sign-in is in progress.' };
    },
    navigate(action) {
      if (!current) return false;
      const contents = current.view.webContents;
      current.view.setVisible(true);
      update(current, { type: 'retrying' });
      if (action === 'back' && contents.navigationHistory.canGoBack()) contents.navigationHistory.goBack();
      // A page that never loaded has nothing to reload: start again from the sign-in URL.
      else if (contents.getURL() === '') void contents.loadURL(current.url);
      else contents.reload();
      return true;
    },
  };
}
