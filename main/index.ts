// The Electron entry point (bundled by scripts/build.mjs to dist/main/index.js): everything happens in the shell.
import { startTrayApp } from './shell/app.js';

startTrayApp();
