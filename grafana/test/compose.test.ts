// docker-compose.yml is checked without Docker: it validates against the Compose Specification
// JSON schema (vendored, see fixtures/README.md), and the rules of issue 6 are asserted one by one:
// pinned images, healthchecks, healthy dependencies, memory limits, named data volumes, only the
// documented host ports, secrets from .env, and mounted files that exist.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, it } from 'vitest';
import { parse } from 'yaml';
import { grafanaDir, repoDir } from './sources.ts';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { resources?: { limits?: { memory?: string } } };
  mem_limit?: string;
  profiles?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const composeText = readFileSync(join(repoDir, 'docker-compose.yml'), 'utf8');
const envExample = Object.fromEntries(
  readFileSync(join(repoDir, '.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

/** Compose's own interpolation: `${VAR}`, `${VAR:-default}`, `${VAR:?error}`, `$$` for `$`. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{(\w+)(?::([-?])([^}]*))?\}/g, (match, name?: string, kind?: string, arg?: string) => {
    if (match === '$$') return '$';
    const value = env[name as string];
    if (value !== undefined && value !== '') return value;
    if (kind === '-') return arg ?? '';
    if (kind === '?') throw new Error(`compose needs ${name}: ${arg}`);
    return '';
  });
}

/** Removes `id` keywords (string values), leaving properties that happen to be named `id`. */
function stripIds(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) stripIds(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (typeof record.id === 'string') delete record.id;
  for (const value of Object.values(record)) stripIds(value);
}

const compose = parse(interpolate(composeText, envExample)) as ComposeFile;
const services = Object.entries(compose.services);

// Ports listed in the README / docs/CONTRACT.md. 8888 (collector self-metrics) stays internal.
const documentedHostPorts = new Set([8000, 4317, 4318, 13133, 9090, 9093, 3200, 3100, 3000, 6379, 5432]);

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification JSON schema', () => {
    const schema = JSON.parse(readFileSync(join(grafanaDir, 'test', 'fixtures', 'compose-spec.json'), 'utf8'));
    // Its `$schema` names the draft with a trailing `#`, which ajv does not resolve; Ajv2019 is that draft.
    delete schema.$schema;
    // Its draft-04 style `id` keywords only label subschemas (refs use JSON pointers); ajv rejects them.
    stripIds(schema);
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    // Compose's own formats: Go durations, port specs, CIDRs.
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    ajv.addFormat('ports', /^[\w.:${}-]+(\/(tcp|udp))?$/);
    ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
    ajv.addFormat('subnet_ip_address', /^[\d.:a-fA-F]+\/\d+$/);
    const validate = ajv.compile(schema);
    assert.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
    // The schema is strict enough to catch a misspelt key.
    const misspelt = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    (misspelt.services.grafana as Record<string, unknown>).healtcheck = {};
    assert.equal(validate(misspelt), false);
  });

  it('has every service issue 6 asks for, with k6 under the "load" profile', () => {
    for (const name of [
      'divan',
      'redis',
      'postgres',
      'otel-collector',
      'prometheus',
      'alertmanager',
      'tempo',
      'loki',
      'grafana',
      'k6',
    ]) {
      assert.ok(compose.services[name], `missing service ${name}`);
    }
    assert.deepEqual(compose.services.k6?.profiles, ['load']);
  });

  it('pins every pulled image to an explicit version (no latest, no bare name)', () => {
    for (const [name, service] of services) {
      assert.ok(service.image, `${name}: no image`);
      // A service built from the repo is tagged locally; its base image is pinned in its Dockerfile.
      if (service.build !== undefined) continue;
      const tag = service.image.split(':')[1];
      assert.ok(tag !== undefined && tag !== 'latest' && /\d/.test(tag), `${name}: ${service.image} is not pinned`);
    }
  });

  it('builds the slim collector image at the builder manifest version, without the servicegraph overlay', () => {
    const manifest = readFileSync(join(repoDir, 'collector', 'builder-config.yaml'), 'utf8');
    const version = /^\s+version:\s*(\S+)/m.exec(manifest)?.[1];
    const collector = compose.services['otel-collector'] as Service;
    assert.equal(collector.image, `sightline/otelcol:${version}`);
    assert.deepEqual(collector.build, { context: '.', dockerfile: 'collector/Dockerfile' });
    // The servicegraph connector is not in the slim build (collector/README.md "Service graph").
    assert.deepEqual(collector.command, ['--config=/etc/otelcol/otelcol.yaml']);
    assert.match(collector.environment?.GOMEMLIMIT ?? '', /^\d+MiB$/);
  });

  it('runs Prometheus 3 with the remote-write receiver and exemplar storage', () => {
    const prometheus = compose.services.prometheus as Service;
    assert.match(prometheus.image ?? '', /^prom\/prometheus:v3\./);
    assert.ok(prometheus.command?.includes('--web.enable-remote-write-receiver'));
    assert.ok(prometheus.command?.includes('--enable-feature=exemplar-storage'));
  });

  it('gives every service a healthcheck and a memory limit', () => {
    for (const [name, service] of services) {
      assert.ok(
        service.healthcheck?.test !== undefined && service.healthcheck.disable !== true,
        `${name}: no healthcheck`,
      );
      const memory = service.deploy?.resources?.limits?.memory ?? service.mem_limit;
      assert.match(memory ?? '', /^\d+[MG]$/, `${name}: no memory limit`);
    }
  });

  it('waits only on healthy dependencies that exist', () => {
    for (const [name, service] of services) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.ok(compose.services[dependency], `${name} depends on unknown ${dependency}`);
        assert.equal(condition, 'service_healthy', `${name} -> ${dependency}`);
      }
    }
    assert.ok(compose.services.divan?.depends_on?.['otel-collector'], 'divan must wait for the collector');
  });

  it('keeps data on named volumes that are declared', () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] as string;
        if (source.startsWith('.') || source.startsWith('/')) continue;
        assert.ok(declared.has(source), `${name}: volume ${source} is not declared`);
      }
    }
    for (const stateful of [
      'redis',
      'postgres',
      'prometheus',
      'alertmanager',
      'tempo',
      'loki',
      'grafana',
      'otel-collector',
    ]) {
      const named = (compose.services[stateful]?.volumes ?? []).filter((v) => !/^[./]/.test(v));
      assert.ok(named.length > 0, `${stateful}: no named data volume`);
    }
  });

  it('publishes only documented host ports, on loopback by default', () => {
    for (const [name, service] of services) {
      for (const port of service.ports ?? []) {
        const [address, host, container] = port.split(':');
        assert.equal(address, '127.0.0.1', `${name}: ${port} must bind SIGHTLINE_BIND_ADDRESS`);
        assert.ok(documentedHostPorts.has(Number(host)), `${name}: host port ${host} is not in the README list`);
        assert.equal(host, container, `${name}: ${port}`);
      }
    }
  });

  it('takes every required secret from .env, documented in .env.example', () => {
    const required = [...composeText.matchAll(/\$\{(\w+):\?/g)].map((match) => match[1] as string);
    assert.ok(required.includes('GRAFANA_ADMIN_PASSWORD'), 'Grafana admin password must come from .env');
    for (const name of required) assert.ok(name in envExample, `${name} is required but not in .env.example`);
    assert.throws(() => interpolate(composeText, {}), /GRAFANA_ADMIN_PASSWORD|POSTGRES_PASSWORD|JWT_SECRET/);
  });

  it('asks for a Grafana login unless anonymous access is opted in', () => {
    const grafana = compose.services.grafana?.environment ?? {};
    // Interpolated `false` parses as a YAML boolean, as it does for Compose.
    assert.equal(String(grafana.GF_AUTH_ANONYMOUS_ENABLED), 'false');
    assert.equal(envExample.GRAFANA_ANONYMOUS_ENABLED, 'false');
    assert.equal(grafana.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Viewer');
    assert.equal(grafana.GF_USERS_ALLOW_SIGN_UP, 'false');
  });

  it('mounts only files and directories that exist in the repository', () => {
    const missing: string[] = [];
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] as string;
        if (!source.startsWith('./')) continue;
        if (existsSync(join(repoDir, source))) continue;
        missing.push(`${name}: ${source}`);
      }
    }
    if (compose.services.divan?.build !== undefined) {
      const dockerfile = (compose.services.divan.build as { dockerfile: string }).dockerfile;
      if (!existsSync(join(repoDir, dockerfile))) missing.push(`divan: build ${dockerfile}`);
    }
    assert.deepEqual(missing, []);
  });
});
