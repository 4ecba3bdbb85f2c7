// `node --import <this file> dist/main/index.js`: the built tray app then gets the stand-in for `electron`.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
