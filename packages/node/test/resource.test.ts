import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { defaultServiceName, resolveConfig } from '../src/config.ts';
import { parseResourceAttributes } from '../src/resource.ts';

// A service checkout: its package.json names it; src/ has a nameless `{"type":"module"}` marker.
const ROOT = mkdtempSync(join(tmpdir(), 'sightline-name-'));
const SERVICE_DIR = join(ROOT, 'orders', 'src');
mkdirSync(SERVICE_DIR, { recursive: true });
writeFileSync(join(ROOT, 'orders', 'package.json'), JSON.stringify({ name: 'orders-api', version: '1.0.0' }));
writeFileSync(join(SERVICE_DIR, 'package.json'), JSON.stringify({ type: 'module' }));

describe('the default service name', () => {
  it('is the name of the nearest package.json that has one, passing over nameless ones', () => {
    assert.equal(defaultServiceName(SERVICE_DIR), 'orders-api');
    assert.equal(defaultServiceName(join(ROOT, 'orders')), 'orders-api');
  });

  it("is OpenTelemetry's unknown_service:node when no package.json names the service", () => {
    const bare = mkdtempSync(join(tmpdir(), 'sightline-bare-'));
    assert.equal(defaultServiceName(bare), 'unknown_service:node');
    assert.equal(resolveConfig({}, {}, bare).config.serviceName, 'unknown_service:node');
  });

  it('is only looked up when nothing else names the service', () => {
    assert.equal(resolveConfig({}, { OTEL_SERVICE_NAME: 'from-env' }, SERVICE_DIR).config.serviceName, 'from-env');
  });
});

describe('OTEL_RESOURCE_ATTRIBUTES', () => {
  it('percent-decodes keys and values and trims blanks around entries', () => {
    const parsed = parseResourceAttributes(
      ' deployment.environment.name=staging , team=core%2Cplatform,note=a%3Db%20c,k8s%2Epod=p%C3%A9,empty=,',
    );
    assert.equal(parsed.error, undefined);
    assert.deepEqual(parsed.attributes, {
      'deployment.environment.name': 'staging',
      team: 'core,platform',
      note: 'a=b c',
      'k8s.pod': 'pé',
      empty: '',
    });
    // '+' is not a space in percent-encoding
    assert.equal(parseResourceAttributes('a=x+y').attributes.a, 'x+y');
  });

  it('discards the whole value on a malformed entry and names it', () => {
    for (const [raw, fragment] of [
      ['service.name=a,broken', 'entry "broken": expected key=value'],
      ['a=b=c', 'entry "a=b=c": expected key=value'],
      ['=x', 'entry "=x": the key is empty'],
      ['a=%E0%A4%A', 'entry "a=%E0%A4%A": the value is not valid percent-encoding'],
    ] as const) {
      const parsed = parseResourceAttributes(raw);
      assert.deepEqual(parsed.attributes, {}, raw);
      assert.match(parsed.error ?? '', /^invalid env OTEL_RESOURCE_ATTRIBUTES, /, raw);
      assert.ok(parsed.error?.includes(fragment), `${raw}: ${parsed.error}`);
    }
  });

  it('service.name: option > OTEL_SERVICE_NAME > OTEL_RESOURCE_ATTRIBUTES > package.json name', () => {
    const attrs = 'service.name=from-attrs';
    assert.equal(resolveConfig({}, {}, SERVICE_DIR).config.serviceName, 'orders-api');
    assert.equal(resolveConfig({}, { OTEL_RESOURCE_ATTRIBUTES: attrs }).config.serviceName, 'from-attrs');
    assert.equal(
      resolveConfig({}, { OTEL_RESOURCE_ATTRIBUTES: attrs, OTEL_SERVICE_NAME: 'from-env' }).config.serviceName,
      'from-env',
    );
    assert.equal(
      resolveConfig({ serviceName: 'from-option' }, { OTEL_RESOURCE_ATTRIBUTES: attrs, OTEL_SERVICE_NAME: 'from-env' })
        .config.serviceName,
      'from-option',
    );
  });

  it('deployment.environment.name (what compose sets from SIGHTLINE_ENV) beats NODE_ENV, not DEPLOYMENT_ENVIRONMENT', () => {
    const env = {
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=dev,service.namespace=divan',
      NODE_ENV: 'production',
    };
    const { config } = resolveConfig({}, env);
    assert.equal(config.environment, 'dev');
    assert.equal(config.production, false);
    assert.equal(resolveConfig({}, { ...env, DEPLOYMENT_ENVIRONMENT: 'staging' }).config.environment, 'staging');
    assert.equal(resolveConfig({ environment: 'test' }, env).config.environment, 'test');
    assert.equal(resolveConfig({}, { NODE_ENV: 'production' }).config.environment, 'production');
    // the pre-1.27 attribute name still counts
    assert.equal(resolveConfig({}, { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=qa' }).config.environment, 'qa');
  });

  it('keeps every attribute for the resource and reports a malformed value as a warning, not an error', () => {
    const ok = resolveConfig({}, { OTEL_RESOURCE_ATTRIBUTES: 'k8s.pod.name=divan-1,service.version=1.2.3' });
    assert.deepEqual(ok.config.resourceAttributes, { 'k8s.pod.name': 'divan-1', 'service.version': '1.2.3' });
    assert.equal(ok.config.serviceVersion, '1.2.3');
    assert.deepEqual(ok.warnings, []);

    // even in production: the spec says ignore and report
    const bad = resolveConfig({}, { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name', NODE_ENV: 'production' });
    assert.equal(bad.config.environment, 'production');
    assert.deepEqual(bad.config.resourceAttributes, {});
    assert.equal(bad.warnings.length, 1);
    assert.match(
      bad.warnings[0] ?? '',
      /^SIGHTLINE_CONFIG_OTEL_RESOURCE_ATTRIBUTES: invalid env OTEL_RESOURCE_ATTRIBUTES, entry "deployment.environment.name"/,
    );
  });

  it('an attribute value the option refuses names OTEL_RESOURCE_ATTRIBUTES as its source', () => {
    assert.throws(
      () => resolveConfig({}, { OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=Bad-Name' }),
      (error: Error & { code?: string }) =>
        error.code === 'SIGHTLINE_CONFIG_SERVICE_NAMESPACE' && error.message.includes('env OTEL_RESOURCE_ATTRIBUTES'),
    );
  });
});
