/**
 * `node --require @sightline/node/register app.js`, for CommonJS services: calls `init()` from env
 * before the app loads anything, then installs the ESM loader hook for any ES modules the app imports.
 * It requires the package's own CommonJS entry at run time (not a bundled copy), so the app's
 * `require('@sightline/node').init()` returns this same instance.
 */
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const { init } = createRequire(__filename)('@sightline/node') as typeof import('./index.js');
if (init().enabled) register('import-in-the-middle/hook.mjs', pathToFileURL(__filename));
