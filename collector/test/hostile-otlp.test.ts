// Hostile OTLP against the real collector with the production config and memory settings
// (GOMEMLIMIT 400MiB as in compose): 100,000-deep nested attributes, a 3.9 MiB attribute and
// 100,000 attributes on one span, four requests at a time. The collector refuses what is over its
// receiver limits, stays within the documented budget (peak RSS < 512 MiB, the container limit)
// and keeps delivering ordinary traffic.
import { readFileSync } from 'node:fs';
import {
  type Collector,
  countersRequest,
  freePort,
  postOtlpJson,
  randomHexId,
  type Sink,
  SpanKind,
  startCollector,
  startPrometheus,
  startSink,
  tracesRequest,
  waitFor,
} from '@sightline/harness';
import { afterAll, describe, expect, it } from 'vitest';

/** Another collector config to run against (how the before numbers were measured). @default collector/otelcol.yaml */
const CONFIG = process.env.SIGHTLINE_COLLECTOR_CONFIG;

const BUDGET_MIB = 512;
const PARALLEL = 4;
const ROUNDS = 3;

// ---- a minimal protobuf writer for ExportTraceServiceRequest --------------------------------------
function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size += 1;
  }
  return size;
}
class Writer {
  readonly buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.alloc(size);
  }
  varint(n: number): this {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }
  bytes(field: number, data: Buffer): this {
    this.tag(field, 2).varint(data.length);
    data.copy(this.buf, this.pos);
    this.pos += data.length;
    return this;
  }
}
const lenField = (field: number, length: number) => varintSize(field * 8 + 2) + varintSize(length) + length;

/**
 * AnyValue nested `depth` times as {kvlist_value: {values: [{key: "a", value: <next>}]}}, written
 * outside-in into one buffer (sizes first), so building 100,000 levels stays linear.
 */
function nestedAnyValue(depth: number): Buffer {
  const anySize: number[] = [0]; // innermost: an empty AnyValue
  const kvSize: number[] = [0];
  const listSize: number[] = [0];
  for (let i = 1; i <= depth; i++) {
    kvSize[i] = lenField(1, 1) + lenField(2, anySize[i - 1] as number);
    listSize[i] = lenField(1, kvSize[i] as number);
    anySize[i] = lenField(6, listSize[i] as number);
  }
  const w = new Writer(anySize[depth] as number);
  for (let i = depth; i >= 1; i--) {
    w.tag(6, 2).varint(listSize[i] as number); // AnyValue.kvlist_value
    w.tag(1, 2).varint(kvSize[i] as number); // KeyValueList.values
    w.bytes(1, Buffer.from('a')); // KeyValue.key
    w.tag(2, 2).varint(anySize[i - 1] as number); // KeyValue.value
  }
  return w.buf;
}

function keyValue(key: string, anyValue: Buffer): Buffer {
  const k = Buffer.from(key);
  const w = new Writer(lenField(1, k.length) + lenField(2, anyValue.length));
  return w.bytes(1, k).bytes(2, anyValue).buf;
}
const stringAny = (value: string) => {
  const v = Buffer.from(value);
  return new Writer(lenField(1, v.length)).bytes(1, v).buf;
};

/** One span (service `hostile`) carrying `attributes` (encoded KeyValues). */
function hostileRequest(attributes: Buffer[]): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const fixed = (field: number, n: bigint) => {
    const b = Buffer.alloc(9);
    b[0] = field * 8 + 1;
    b.writeBigUInt64LE(n, 1);
    return b;
  };
  const name = Buffer.from('POST /hostile');
  const spanParts = [
    new Writer(18).bytes(1, Buffer.from(randomHexId(16), 'hex')).buf,
    new Writer(10).bytes(2, Buffer.from(randomHexId(8), 'hex')).buf,
    new Writer(lenField(5, name.length)).bytes(5, name).buf,
    fixed(7, now - 1_000_000n),
    fixed(8, now),
    ...attributes.map((kv) => new Writer(lenField(9, kv.length)).bytes(9, kv).buf),
  ];
  const span = Buffer.concat(spanParts);
  const scopeSpans = new Writer(lenField(2, span.length)).bytes(2, span).buf;
  const serviceAttr = keyValue('service.name', stringAny('hostile'));
  const resource = new Writer(lenField(1, serviceAttr.length)).bytes(1, serviceAttr).buf;
  const resourceSpans = Buffer.concat([
    new Writer(lenField(1, resource.length)).bytes(1, resource).buf,
    new Writer(lenField(2, scopeSpans.length)).bytes(2, scopeSpans).buf,
  ]);
  return new Writer(lenField(1, resourceSpans.length)).bytes(1, resourceSpans).buf;
}

/** VmRSS and VmHWM (peak) of a process, in MiB. */
function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

describe('hostile OTLP payloads', () => {
  const running: Array<{ stop(): Promise<void> }> = [];
  afterAll(async () => {
    for (const server of running.reverse()) await server.stop();
  });

  it(`keeps the collector under ${BUDGET_MIB} MiB and ordinary traffic flowing`, async () => {
    const sink: Sink = await startSink({ name: 'sink-hostile' });
    running.push(sink);
    const prometheus = await startPrometheus({ name: 'prometheus-hostile' });
    running.push(prometheus);
    const collector: Collector = await startCollector({
      ...(CONFIG && { config: CONFIG }),
      name: 'collector-hostile',
      env: {
        GOMEMLIMIT: '400MiB',
        SIGHTLINE_TEMPO_ENDPOINT: sink.otlpGrpcEndpoint,
        SIGHTLINE_LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
        SIGHTLINE_PROMETHEUS_REMOTE_WRITE_URL: prometheus.remoteWriteUrl,
        SIGHTLINE_SAMPLING_DECISION_WAIT: '1s',
        // Only forced traces reach the sink: this is about the collector's memory, not the sink's.
        SIGHTLINE_SAMPLING_PERCENTAGE: '0',
      },
    });
    running.push(collector);
    const pid = collector.process.child.pid as number;
    const idle = memoryMiB(pid);

    const post = async (body: Buffer) => {
      const response = await fetch(`${collector.otlpHttpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: new Uint8Array(body),
      });
      await response.arrayBuffer();
      return response.status;
    };
    const payloads: Record<string, Buffer> = {
      'nested 100,000 deep': hostileRequest([keyValue('deep', nestedAnyValue(100_000))]),
      'nested 300,000 deep (over the size limit)': hostileRequest([keyValue('deep', nestedAnyValue(300_000))]),
      'one 3.9 MiB attribute': hostileRequest([keyValue('huge', stringAny('x'.repeat(3.9 * 1024 * 1024)))]),
      '100,000 attributes': hostileRequest(
        Array.from({ length: 100_000 }, (_, i) => keyValue(`k${i}`, stringAny('v'))),
      ),
    };
    const statuses: Record<string, number[]> = {};
    const peaks: Record<string, number> = {};
    for (const [name, body] of Object.entries(payloads)) {
      statuses[name] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const answered = await Promise.all(Array.from({ length: PARALLEL }, () => post(body)));
        statuses[name].push(...answered);
      }
      peaks[name] = memoryMiB(pid).peak;
    }
    const after = memoryMiB(pid);
    console.log(
      `hostile OTLP: sizes ${JSON.stringify(Object.fromEntries(Object.entries(payloads).map(([k, v]) => [k, v.length])))}; ` +
        `statuses ${JSON.stringify(statuses)}; idle RSS ${idle.rss.toFixed(0)} MiB, peak after each ${JSON.stringify(
          Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, Math.round(v)])),
        )} MiB, now ${after.rss.toFixed(0)} MiB`,
    );
    expect(collector.process.running, collector.logs()).toBe(true);
    // Over the 4 MiB receiver limit: refused before decoding (the collector answers 400, or 413).
    for (const status of statuses['nested 300,000 deep (over the size limit)'] ?? [])
      expect([400, 413]).toContain(status);
    // Under it: accepted (200) or refused by the memory limiter (a retryable 429/503), never a crash.
    for (const name of ['nested 100,000 deep', 'one 3.9 MiB attribute', '100,000 attributes']) {
      for (const status of statuses[name] ?? []) expect([200, 429, 503], name).toContain(status);
    }
    expect(after.peak).toBeLessThan(BUDGET_MIB);

    // Ordinary traffic still flows: a forced trace reaches the sink, a counter reaches Prometheus.
    const spanId = randomHexId(8);
    const now = Date.now();
    await postOtlpJson(
      collector.otlpHttpUrl,
      'traces',
      tracesRequest({ 'service.name': 'ordinary', 'deployment.environment.name': 'test' }, [
        {
          traceId: randomHexId(16),
          spanId,
          name: 'GET /ordinary',
          kind: SpanKind.SERVER,
          startMs: now - 10,
          endMs: now,
          attributes: { 'http.route': '/ordinary', 'sightline.sampling.force': true },
        },
      ]),
    );
    await postOtlpJson(
      collector.otlpHttpUrl,
      'metrics',
      countersRequest({ 'service.name': 'ordinary', 'deployment.environment.name': 'test' }, [
        { name: 'ordinary_requests', startMs: now - 1000, timeMs: now, points: [{ attributes: {}, value: 7 }] },
      ]),
    );
    await waitFor(() => sink.spans().some((s) => s.spanId === spanId), {
      what: 'the ordinary span at the sink',
      timeoutMs: 30_000,
      intervalMs: 250,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${collector.logs()}`);
    });
    await waitFor(
      async () => (await prometheus.queryScalar('ordinary_requests_total{service_name="ordinary"}')) === 7,
      {
        what: 'the ordinary counter in Prometheus',
        timeoutMs: 30_000,
        intervalMs: 250,
      },
    );
  }, 240_000);
});
