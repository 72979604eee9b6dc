// Structural checks of the provisioned dashboards: a strict JSON schema (ajv) for the parts Grafana
// relies on, plus the cross-references a schema cannot express (unique ids, grid, datasource uids,
// variables defined and used), and that the committed JSON is exactly what the generator writes.
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { describe, it } from 'vitest';
import { renderDashboards } from '../scripts/render.ts';
import { loadDashboards, loadDatasources } from './sources.ts';

const dashboards = loadDashboards();
const datasourceUids = new Set(loadDatasources().map((datasource) => datasource.uid));

const ref = {
  type: 'object',
  required: ['type', 'uid'],
  properties: { type: { type: 'string', minLength: 1 }, uid: { type: 'string', minLength: 1 } },
  additionalProperties: false,
};
const gridPos = {
  type: 'object',
  required: ['h', 'w', 'x', 'y'],
  properties: {
    h: { type: 'integer', minimum: 1 },
    w: { type: 'integer', minimum: 1, maximum: 24 },
    x: { type: 'integer', minimum: 0, maximum: 23 },
    y: { type: 'integer', minimum: 0 },
  },
  additionalProperties: false,
};
const target = {
  type: 'object',
  required: ['refId', 'datasource'],
  properties: { refId: { type: 'string', pattern: '^[A-Z]$' }, datasource: ref },
  allOf: [
    // A Prometheus or Loki target without an expression renders nothing; Tempo needs a query type.
    {
      if: { properties: { datasource: { properties: { type: { enum: ['prometheus', 'loki'] } } } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema if/then keyword
      then: { required: ['expr'], properties: { expr: { type: 'string', minLength: 1 } } },
    },
    {
      if: { properties: { datasource: { properties: { type: { const: 'tempo' } } } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema if/then keyword
      then: { required: ['queryType'] },
    },
  ],
};
const dashboardSchema = {
  type: 'object',
  required: ['uid', 'title', 'schemaVersion', 'panels', 'templating', 'time', 'tags', 'editable'],
  properties: {
    uid: { type: 'string', pattern: '^[a-z0-9-]{1,40}$' },
    title: { type: 'string', minLength: 1 },
    schemaVersion: { type: 'integer', minimum: 39 },
    editable: { const: false },
    tags: { type: 'array', items: { type: 'string' }, contains: { const: 'sightline' } },
    time: { type: 'object', required: ['from', 'to'] },
    templating: {
      type: 'object',
      required: ['list'],
      properties: {
        list: {
          type: 'array',
          minItems: 2,
          items: {
            type: 'object',
            required: ['name', 'type', 'datasource', 'query', 'includeAll', 'allValue'],
            properties: { name: { type: 'string', pattern: '^\\w+$' }, type: { const: 'query' }, datasource: ref },
          },
        },
      },
    },
    panels: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id', 'type', 'title', 'gridPos'],
        properties: {
          id: { type: 'integer', minimum: 1 },
          type: { enum: ['row', 'timeseries', 'stat', 'gauge', 'bargauge', 'table', 'logs', 'traces', 'nodeGraph'] },
          title: { type: 'string', minLength: 1 },
          gridPos,
          datasource: ref,
          targets: { type: 'array', items: target },
        },
        if: { properties: { type: { not: { const: 'row' } } } },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema if/then keyword
        then: {
          required: ['datasource', 'targets', 'fieldConfig', 'options'],
          properties: { targets: { minItems: 1 } },
        },
      },
    },
  },
};
const validate = new Ajv({ allErrors: true, strict: false }).compile(dashboardSchema);

describe('provisioned dashboards', () => {
  it('are exactly what grafana/scripts/gen-dashboards.ts writes (no hand edits, no stale files)', () => {
    const rendered = renderDashboards();
    assert.deepEqual([...dashboards.keys()].sort(), Object.keys(rendered).sort());
    for (const [file, text] of Object.entries(rendered)) {
      assert.equal(`${JSON.stringify(dashboards.get(file), null, 2)}\n`, text, `${file} is stale: run gen-dashboards`);
    }
  });

  it('cover every dashboard issue 6 asks for', () => {
    const titles = [...dashboards.values()].map((dashboard) => dashboard.title);
    for (const wanted of [
      'Backend Overview',
      'HTTP RED',
      'Chat & Proximity',
      'Auth & Security',
      'Business / Domain',
      'Jobs & Leaderboards',
      'SLO & Error Budget',
      'Collector Pipeline Health',
      'Node.js Runtime',
    ]) {
      assert.ok(titles.includes(wanted), `missing dashboard ${wanted}; have ${titles.join(', ')}`);
    }
  });

  it('validate against the strict dashboard schema', () => {
    for (const [file, dashboard] of dashboards) {
      assert.ok(validate(dashboard), `${file}: ${JSON.stringify(validate.errors, null, 2)}`);
    }
  });

  it('have unique uids, and unique panel ids within each dashboard', () => {
    const uids = [...dashboards.values()].map((dashboard) => dashboard.uid);
    assert.equal(new Set(uids).size, uids.length, `duplicate uid in ${uids.join(', ')}`);
    for (const [file, dashboard] of dashboards) {
      const ids = dashboard.panels.map((panel) => panel.id);
      assert.equal(new Set(ids).size, ids.length, `${file}: duplicate panel id`);
    }
  });

  it('lay panels inside the 24-column grid without overlaps', () => {
    for (const [file, dashboard] of dashboards) {
      const taken = new Set<string>();
      for (const panel of dashboard.panels) {
        const { x, y, w, h } = panel.gridPos;
        assert.ok(x + w <= 24, `${file} / ${panel.title}: x ${x} + w ${w} > 24`);
        for (let col = x; col < x + w; col++) {
          for (let row = y; row < y + h; row++) {
            const cell = `${col},${row}`;
            assert.ok(!taken.has(cell), `${file} / ${panel.title} overlaps another panel at ${cell}`);
            taken.add(cell);
          }
        }
      }
    }
  });

  it('name only datasource uids that provisioning defines', () => {
    for (const [file, dashboard] of dashboards) {
      const refs = [
        ...dashboard.templating.list.map((variable) => variable.datasource as { uid: string }),
        ...dashboard.panels.flatMap((panel) => [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)]),
      ].filter((r): r is { uid: string } => r !== undefined);
      for (const { uid } of refs) assert.ok(datasourceUids.has(uid), `${file}: unknown datasource uid ${uid}`);
    }
  });

  it('define every $variable they use, and use every variable they define', () => {
    const builtIn = new Set(['__rate_interval', '__interval', '__range']);
    for (const [file, dashboard] of dashboards) {
      const defined = new Set(dashboard.templating.list.map((variable) => variable.name));
      const text = JSON.stringify({
        panels: dashboard.panels,
        templating: dashboard.templating.list.map((v) => v.query),
      });
      const used = new Set([...text.matchAll(/\$\{?(\w+)/g)].map((match) => match[1] as string));
      for (const name of used) assert.ok(defined.has(name) || builtIn.has(name), `${file}: $${name} is not defined`);
      for (const name of defined) assert.ok(used.has(name), `${file}: variable ${name} is never used`);
      for (const wanted of ['service', 'env']) assert.ok(defined.has(wanted), `${file}: no ${wanted} variable`);
    }
  });
});
