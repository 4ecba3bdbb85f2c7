// What can be checked here: which of Electron's app events bring the windows back. That macOS really sends
// `activate` on a re-open from Finder or Spotlight is Electron's behaviour and cannot be exercised here.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onReopen } from '../../../main/shell/reopen.js';

describe('onReopen', () => {
  it('brings the windows back on a second instance and on macOS’s activate, once per event', () => {
    const app = new EventEmitter();
    let reopened = 0;
    onReopen(app, () => reopened++);
    app.emit('second-instance', {}, ['/usr/bin/cloudtoken-tray'], '/home/a');
    expect(reopened).toBe(1);
    app.emit('activate', {}, false);
    expect(reopened).toBe(2);
    app.emit('ready');
    expect(reopened).toBe(2);
  });
});
