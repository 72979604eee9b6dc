// Preloaded with --import by the benchmark's `fastify-otel` variant (bench/lib/variants.ts): NodeSDK
// with Fastify's own OpenTelemetry plugin, registered on every Fastify instance as it is created, and
// the instrumentations a user adds for the rest of this service: http (the server span and context
// propagation, which @fastify/otel needs), pg, ioredis and pino (log correlation and log sending).
import FastifyOtelInstrumentation from '@fastify/otel';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { startNodeSdk } from './nodesdk.mjs';

startNodeSdk({
  instrumentations: [
    new HttpInstrumentation(),
    new FastifyOtelInstrumentation({ registerOnInitialization: true }),
    new PgInstrumentation(),
    new IORedisInstrumentation(),
    new PinoInstrumentation(),
  ],
});
