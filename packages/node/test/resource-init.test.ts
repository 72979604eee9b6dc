import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, it } from 'vitest';
import { init } from '../src/index.ts';
import { discardLogs } from './log-capture.ts';

// init() reads the process environment as a deployment sets it; this file runs in its own process.
const spans = new InMemorySpanExporter();
spans.shutdown = async () => {};

describe('init() with OTEL_RESOURCE_ATTRIBUTES from the environment', () => {
  afterAll(() => {
    delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    delete process.env.OTEL_SERVICE_NAME;
  });

  it('puts compose-style attributes on exported spans, OTEL_SERVICE_NAME and the environment winning as specified', async () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES =
      'deployment.environment.name=dev,service.namespace=divan,service.name=from-attrs,k8s.pod.name=divan%2D7f,team=a%2Cb';
    process.env.OTEL_SERVICE_NAME = 'divan-api';
    const sightline = init({
      metricsEnabled: false,
      logsEnabled: false,
      disabledInstrumentations: ['runtime', 'http', 'undici'],
      logDestination: discardLogs(),
      exporters: { spans },
    });
    assert.equal(sightline.enabled, true);
    assert.equal(sightline.config.environment, 'dev');
    sightline.tracer.startSpan('work').end();
    await sightline.shutdown();
    const resource = spans.getFinishedSpans()[0]?.resource.attributes;
    assert.equal(resource?.['service.name'], 'divan-api');
    assert.equal(resource?.['deployment.environment.name'], 'dev');
    assert.equal(resource?.['service.namespace'], 'divan');
    assert.equal(resource?.['k8s.pod.name'], 'divan-7f');
    assert.equal(resource?.team, 'a,b');
  });

  it('a malformed value is reported on stderr, and a production service still starts', () => {
    const source = fileURLToPath(new URL('../src/index.ts', import.meta.url));
    const script = `const { init } = await import(${JSON.stringify(source)});
      const s = init({ metricsEnabled: false, tracingEnabled: false, logsEnabled: false });
      process.stdout.write(JSON.stringify({ enabled: s.enabled, environment: s.config.environment }));
      await s.shutdown();`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name', NODE_ENV: 'production' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { enabled: true, environment: 'production' });
    assert.match(
      result.stderr,
      /\[sightline\] SIGHTLINE_CONFIG_OTEL_RESOURCE_ATTRIBUTES: invalid env OTEL_RESOURCE_ATTRIBUTES, entry "deployment.environment.name": expected key=value/,
    );
  });
});
