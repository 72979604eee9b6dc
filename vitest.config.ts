import { defineConfig } from 'vitest/config';

// One runner for the whole repository, a project per package or folder. The integration tests start
// real servers (collector, Prometheus, Alertmanager, Redis, PostgreSQL, Docker, Chromium) and the
// machines have two cores, so files run one at a time and the timeouts are those of real processes.
const project = (name: string, dir: string, extra: Record<string, unknown> = {}) => ({
  extends: true as const,
  test: { name, include: [`${dir}/**/*.test.ts`], ...extra },
});

export default defineConfig({
  test: {
    fileParallelism: false,
    maxWorkers: 1,
    pool: 'forks',
    testTimeout: 600_000,
    hookTimeout: 600_000,
    teardownTimeout: 60_000,
    exclude: ['**/node_modules/**', '**/dist/**'],
    projects: [
      project('sdk', 'packages/node/test', {
        // The catalog's compile-time label checks (`*.test-d.ts`) run through tsc as tests.
        typecheck: {
          enabled: true,
          include: ['packages/node/test/**/*.test-d.ts'],
          tsconfig: './packages/node/tsconfig.typecheck.json',
        },
      }),
      project('harness', 'packages/harness/test'),
      project('demo', 'packages/demo/test', {
        // Divan's catalog label checks run as tests too, like the SDK's.
        typecheck: {
          enabled: true,
          include: ['packages/demo/test/**/*.test-d.ts'],
          tsconfig: './packages/demo/tsconfig.typecheck.json',
        },
      }),
      project('web', 'packages/web/test'),
      project('collector', 'collector/test'),
      project('prometheus', 'prometheus/test'),
      project('grafana', 'grafana/test'),
      project('scripts', 'scripts'),
      project('e2e', 'test'),
      project('examples', 'examples'),
    ],
  },
});
