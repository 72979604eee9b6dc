/**
 * `node --import @sightline/node/register app.js`: installs the ESM loader hook that lets
 * instrumentations patch ES modules, then calls `init()` from env before the app is loaded.
 * A later `init()` in the app returns this same instance.
 */
import { register } from 'node:module';
import { init } from './init.js';

register('import-in-the-middle/hook.mjs', import.meta.url);
init();
