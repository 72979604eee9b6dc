import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectorConfigPath, repoRoot, tempDir, validateCollectorConfig } from '@sightline/harness';
import { describe, it } from 'vitest';
import { parse } from 'yaml';

const manifestVersion = (): string => {
  const manifest = parse(readFileSync(collectorConfigPath('builder-config.yaml'), 'utf8')) as {
    dist: { version: string };
  };
  return manifest.dist.version;
};

describe('collector configs', () => {
  const runnable: Array<[string, string[]]> = [
    ['otelcol.yaml (production pipeline)', [collectorConfigPath('otelcol.yaml')]],
    ['sink.yaml (test sink)', [collectorConfigPath('sink.yaml')]],
    [
      'otelcol.yaml + otelcol.prw-wal.yaml (opt-in remote-write WAL)',
      [collectorConfigPath('otelcol.yaml'), collectorConfigPath('otelcol.prw-wal.yaml')],
    ],
  ];
  for (const [name, files] of runnable) {
    it(`validates ${name} with the slim binary`, () => {
      const result = validateCollectorConfig(files);
      assert.ok(result.ok, `validate failed:\n${result.output}`);
    });
  }

  it('fails a broken config and shows the collector’s own error', () => {
    const dir = tempDir('broken-config');
    const typo = join(dir, 'typo.yaml');
    writeFileSync(
      typo,
      readFileSync(collectorConfigPath('otelcol.yaml'), 'utf8').replace('check_interval: 1s', 'check_intervall: 1s'),
    );
    const typoResult = validateCollectorConfig(typo);
    assert.equal(typoResult.ok, false, 'a misspelt key passed validation');
    assert.match(typoResult.output, /memory_limiter/);
    assert.match(typoResult.output, /check_intervall/);

    const badOttl = join(dir, 'bad-ottl.yaml');
    writeFileSync(
      badOttl,
      readFileSync(collectorConfigPath('otelcol.yaml'), 'utf8').replace(
        `'set(datapoint.attributes["service.name"]`,
        `'sett(datapoint.attributes["service.name"]`,
      ),
    );
    const ottlResult = validateCollectorConfig(badOttl);
    assert.equal(ottlResult.ok, false, 'an unknown OTTL function passed validation');
    assert.match(ottlResult.output, /transform\/contract_labels/);
    assert.match(ottlResult.output, /sett/);
  });

  it('reads every endpoint from an env var with a compose-service default', () => {
    const text = readFileSync(collectorConfigPath('otelcol.yaml'), 'utf8');
    const expectedDefaults: Array<[string, string]> = [
      ['SIGHTLINE_TEMPO_ENDPOINT', 'tempo:4317'],
      ['SIGHTLINE_LOKI_OTLP_ENDPOINT', 'http://loki:3100/otlp'],
      ['SIGHTLINE_PROMETHEUS_REMOTE_WRITE_URL', 'http://prometheus:9090/api/v1/write'],
      ['SIGHTLINE_OTLP_GRPC_ENDPOINT', '0.0.0.0:4317'],
      ['SIGHTLINE_OTLP_HTTP_ENDPOINT', '0.0.0.0:4318'],
      ['SIGHTLINE_HEALTH_ENDPOINT', '0.0.0.0:13133'],
      ['SIGHTLINE_COLLECTOR_METRICS_PORT', '8888'],
      ['SIGHTLINE_LATENCY_SLO_MS', '400'],
    ];
    for (const [name, fallback] of expectedDefaults) {
      const expected = `\${env:${name}:-${fallback}}`;
      assert.ok(text.includes(expected), `otelcol.yaml lacks ${expected}`);
    }
  });
});

/** Config layering as the collector does it: maps merge, everything else (lists too) replaces. */
function merge(base: unknown, overlay: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return overlay;
  if (typeof overlay !== 'object' || overlay === null || Array.isArray(overlay)) return overlay;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overlay)) out[key] = key in out ? merge(out[key], value) : value;
  return out;
}

interface CollectorConfig {
  receivers: Record<string, unknown>;
  processors: Record<string, unknown>;
  exporters: Record<string, unknown>;
  connectors: Record<string, unknown>;
  service: {
    pipelines: Record<string, { receivers?: string[]; processors?: string[]; exporters?: string[] }>;
  };
}

describe('service graph overlay (contrib image only)', () => {
  const base = parse(readFileSync(collectorConfigPath('otelcol.yaml'), 'utf8'));
  const overlay = parse(readFileSync(collectorConfigPath('otelcol.servicegraph.yaml'), 'utf8'));
  const merged = merge(base, overlay) as CollectorConfig;

  it('references only components that exist, and feeds servicegraph from the pre-sampling pipeline', () => {
    for (const [name, pipeline] of Object.entries(merged.service.pipelines)) {
      for (const id of pipeline.receivers ?? []) {
        assert.ok(id in merged.receivers || id in merged.connectors, `${name}: unknown receiver ${id}`);
      }
      for (const id of pipeline.processors ?? [])
        assert.ok(id in merged.processors, `${name}: unknown processor ${id}`);
      for (const id of pipeline.exporters ?? []) {
        assert.ok(id in merged.exporters || id in merged.connectors, `${name}: unknown exporter ${id}`);
      }
    }
    const pipelines = Object.values(merged.service.pipelines);
    for (const connector of Object.keys(merged.connectors)) {
      assert.ok(
        pipelines.some((p) => p.exporters?.includes(connector)),
        `${connector} never receives spans`,
      );
      assert.ok(
        pipelines.some((p) => p.receivers?.includes(connector)),
        `${connector} output goes nowhere`,
      );
    }
    const feeding = Object.entries(merged.service.pipelines).filter(([, p]) => p.exporters?.includes('servicegraph'));
    assert.ok(feeding.length > 0);
    for (const [name, pipeline] of feeding) {
      assert.ok(!pipeline.processors?.includes('tail_sampling'), `${name} feeds servicegraph after sampling`);
      assert.ok(pipeline.exporters?.includes('span_metrics'), `${name} lost span_metrics in the overlay`);
    }
    assert.deepEqual(merged.service.pipelines.metrics?.receivers, [
      'otlp',
      'span_metrics',
      'span_metrics/kept',
      'servicegraph',
    ]);
  });

  it('is rejected by the slim binary only because servicegraph is not in it', () => {
    const result = validateCollectorConfig([
      collectorConfigPath('otelcol.yaml'),
      collectorConfigPath('otelcol.servicegraph.yaml'),
    ]);
    assert.equal(result.ok, false);
    assert.match(result.output, /unknown type: "servicegraph"/);
  });
});

describe('one collector version everywhere', () => {
  it('collector/Dockerfile builds the manifest’s version', () => {
    const dockerfile = readFileSync(collectorConfigPath('Dockerfile'), 'utf8');
    const version = /^ARG OTELCOL_VERSION=(\S+)$/m.exec(dockerfile)?.[1];
    assert.equal(version, manifestVersion());
    assert.match(dockerfile, /builder@v\$\{OTELCOL_VERSION\}/);
  });

  it('docker-compose.yml runs the slim image at the manifest’s version', (t) => {
    const composeFile = join(repoRoot, 'docker-compose.yml');
    if (!existsSync(composeFile)) {
      t.skip('docker-compose.yml does not exist yet (the compose stream writes it)');
      return;
    }
    const compose = parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, { image?: string }> };
    const images = Object.values(compose.services)
      .map((service) => service.image ?? '')
      .filter((image) => image.startsWith('sightline/otelcol:'));
    assert.ok(images.length > 0, 'no collector image in docker-compose.yml');
    for (const image of images) assert.equal(image.split(':').at(-1), manifestVersion(), image);
  });

  it('pins core and contrib modules to that same version', () => {
    const manifest = readFileSync(collectorConfigPath('builder-config.yaml'), 'utf8');
    const versions = [...manifest.matchAll(/gomod: \S+ v(\S+)/g)].map((m) => m[1]);
    assert.ok(versions.length > 0);
    for (const v of versions) assert.equal(v, manifestVersion());
  });
});
