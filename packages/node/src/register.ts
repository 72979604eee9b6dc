/**
 * `node --import @sightline/node/register app.js`: calls `init()` from env, then installs the ESM loader
 * hook that lets instrumentations patch ES modules, before the app is loaded. With `OBS_ENABLED=false`
 * (or a config error outside production) no hook is installed. A later `init()` in the app returns
 * this same instance.
 */
import { register } from 'node:module';
import { init } from './init.js';

if (init().enabled) register('import-in-the-middle/hook.mjs', import.meta.url);
