import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // One ESM build for both entries: code splitting puts init() in a shared chunk, so the instance
    // started by `--import @sightline/node/register` is the one `init()` returns in the app.
    entry: { index: 'src/index.ts', register: 'src/register.ts' },
    format: ['esm'],
    splitting: true,
    dts: { entry: { index: 'src/index.ts', register: 'src/register.ts' } },
    sourcemap: true,
    clean: true,
    target: 'node22',
  },
  {
    // CommonJS consumers: `require('@sightline/node')` and `node --require @sightline/node/register`.
    // The register entry requires the package itself at run time, so both share one init() state.
    entry: { index: 'src/index.ts', register: 'src/register-cjs.ts' },
    format: ['cjs'],
    dts: { entry: { index: 'src/index.ts', register: 'src/register-cjs.ts' } },
    sourcemap: true,
    target: 'node22',
  },
]);
