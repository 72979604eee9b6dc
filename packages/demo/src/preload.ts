// `node --import tsx --import ./src/preload.ts src/main.ts` (and `--import ./dist/preload.js` when built):
// init() with Divan's catalogs before the app loads, so the MeterProvider applies their views, then
// @sightline/node/register installs the ESM hook (its own init() returns this instance).
import { init } from '@sightline/node';
import { DIVAN_CATALOGS } from './metrics/index.js';

init({ catalogs: DIVAN_CATALOGS });
await import('@sightline/node/register');
