// Builds @sightline/web with esbuild:
//   dist/index.js            ESM for bundlers (web-vitals stays an import)
//   dist/sightline-web.min.js IIFE for a <script> tag, everything inlined, global `SightlineWeb`
// test/bundle.test.ts builds the IIFE with the same options and checks its gzipped size.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The script-tag bundle: what a page downloads, so what the size budget measures. */
export const iifeOptions = {
  entryPoints: [here('./src/index.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  globalName: 'SightlineWeb',
  target: ['es2020'],
  legalComments: 'none',
};

export async function buildAll() {
  await build({ ...iifeOptions, outfile: here('./dist/sightline-web.min.js') });
  await build({
    entryPoints: [here('./src/index.ts')],
    bundle: true,
    format: 'esm',
    target: ['es2020'],
    packages: 'external',
    outfile: here('./dist/index.js'),
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildAll();
