import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error build.mjs is plain JavaScript without declarations
import { iifeOptions } from '../build.mjs';

/** The budget stated in packages/web/README.md: what a page downloads, gzipped. */
const BUDGET_BYTES = 8 * 1024;

describe('@sightline/web bundle', () => {
  it(`is under ${BUDGET_BYTES} bytes gzipped with web-vitals inlined`, async () => {
    const result = await build({ ...iifeOptions, write: false, metafile: true });
    const code = result.outputFiles?.[0]?.contents;
    expect(code).toBeDefined();
    const gzipped = gzipSync(code as Uint8Array, { level: 9 }).length;
    console.log(`sightline-web.min.js: ${code?.length} bytes, ${gzipped} bytes gzipped`);
    // web-vitals really is inside, so the number measures the whole thing.
    expect(Object.keys(result.metafile?.inputs ?? {}).some((input) => input.includes('web-vitals'))).toBe(true);
    expect(gzipped).toBeLessThan(BUDGET_BYTES);
  });
});
