// `node --import tsx --import ./src/preload.ts src/main.ts`: init() gets the catalog before anything
// else loads (so its views apply), then the register entry point installs the ESM hook that
// instruments http and express when main.ts imports them.
import { init } from '@sightline/node';
import { catalog } from './metrics.ts';

init({ catalogs: [catalog] });
await import('@sightline/node/register');
