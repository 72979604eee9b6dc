// What the compose stack ships, checked without Docker: usage reporting is off in every shipped
// config, and docker-compose.yml, the Dockerfiles and docker/ agree with scripts/versions.env.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repoDir = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(repoDir, path), 'utf8');
const pins = Object.fromEntries(
  read('scripts/versions.env')
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).trim()]),
);
type Service = { image?: string; environment?: Record<string, string>; command?: string[] };
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
const overrideFile = parse(read('test/compose/docker-compose.test.yml'), {
  merge: true,
  customTags: [
    { tag: '!override', collection: 'seq', resolve: (value) => value },
    { tag: '!override', collection: 'map', resolve: (value) => value },
    { tag: '!reset', collection: 'seq', resolve: (value) => value },
  ],
}) as { services: Record<string, Service> };

/** The default of `ARG <name>=<value>` in a Dockerfile. */
function argDefault(dockerfile: string, name: string): string | undefined {
  return new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(read(dockerfile))?.[1];
}

describe('usage reporting is off in every shipped config', () => {
  it('Tempo: usage_report.reporting_enabled is false', () => {
    const tempo = parse(read('grafana/tempo/tempo.yaml')) as { usage_report?: { reporting_enabled?: boolean } };
    expect(tempo.usage_report?.reporting_enabled).toBe(false);
  });

  it('Loki: analytics.reporting_enabled is false', () => {
    const loki = parse(read('grafana/loki/loki.yaml')) as { analytics?: { reporting_enabled?: boolean } };
    expect(loki.analytics?.reporting_enabled).toBe(false);
  });

  it('Grafana: reporting and update checks are off', () => {
    const env = compose.services.grafana?.environment ?? {};
    for (const key of [
      'GF_ANALYTICS_REPORTING_ENABLED',
      'GF_ANALYTICS_CHECK_FOR_UPDATES',
      'GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES',
    ]) {
      expect(String(env[key]), key).toBe('false');
    }
  });
});

describe('compose, Dockerfiles and docker/ agree with scripts/versions.env', () => {
  it('names the images docker/ builds, at the pinned versions', () => {
    const images = Object.fromEntries(Object.entries(compose.services).map(([name, s]) => [name, s.image]));
    expect(images.redis).toBe(`redis:${pins.REDIS}-bookworm`);
    expect(images.postgres).toBe(`postgres:${pins.POSTGRES}-bookworm`);
    expect(images.prometheus).toBe(`prom/prometheus:v${pins.PROMETHEUS}`);
    expect(images.alertmanager).toBe(`prom/alertmanager:v${pins.ALERTMANAGER}`);
    const manifest = read('collector/builder-config.yaml');
    const version = /^\s+version:\s*(\S+)/m.exec(manifest)?.[1];
    expect(images['otel-collector']).toBe(`sightline/otelcol:${version}`);
    expect(argDefault('collector/Dockerfile', 'OTELCOL_VERSION')).toBe(version);
  });

  it('builds Divan on Node 24 and the collector with the pinned Go', () => {
    expect(argDefault('packages/demo/Dockerfile', 'NODE_VERSION')).toBe(pins.NODE24);
    expect(argDefault('collector/Dockerfile', 'GO_VERSION')).toBe(pins.GO);
  });

  it('names no registry host in any FROM line', () => {
    const dockerfiles = [
      'collector/Dockerfile',
      'packages/demo/Dockerfile',
      ...['node', 'golang', 'redis', 'postgres', 'prometheus', 'alertmanager'].map((d) => `docker/${d}/Dockerfile`),
    ];
    for (const file of dockerfiles) {
      for (const [, image] of read(file).matchAll(/^FROM\s+(\S+)/gm)) {
        // A registry host is a first path component with a dot or a port (`some.host/…`, `host:5000/…`).
        const first = (image as string).split('/')[0] as string;
        expect((image as string).includes('/') && /[.:]/.test(first), `${file}: FROM ${image}`).toBe(false);
      }
    }
  });

  it('runs the slim collector from collector/Dockerfile, its health probe on :13133, without the servicegraph overlay', () => {
    const collector = compose.services['otel-collector'] as Service & {
      build?: { dockerfile?: string };
      healthcheck?: { test?: string[] };
    };
    expect(collector.build?.dockerfile).toBe('collector/Dockerfile');
    expect(collector.command).toEqual(['--config=/etc/otelcol/otelcol.yaml']);
    expect(collector.healthcheck?.test?.join(' ')).toContain('http://127.0.0.1:13133/');
  });

  it('the test override replaces exactly the AGPL services: tempo and loki by sinks, grafana and k6 never started', () => {
    const services = overrideFile.services;
    for (const name of ['tempo', 'loki']) {
      expect(services[name]?.image, name).toBe(compose.services['otel-collector']?.image);
      expect(services[name]?.command?.[0], name).toBe('--config=/etc/otelcol/sink.yaml');
    }
    for (const name of ['grafana', 'k6']) {
      expect((services[name] as { profiles?: string[] }).profiles, name).toEqual(['agpl-not-run-in-tests']);
    }
  });
});
