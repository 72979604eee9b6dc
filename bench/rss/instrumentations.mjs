// The instrumentations Sightline's init() enables, shared by both OpenTelemetry variants of
// bench/nodesdk-rss.ts so they load exactly the same code.
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { SocketIoInstrumentation } from '@opentelemetry/instrumentation-socket.io';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

export const instrumentations = () => [
  new HttpInstrumentation(),
  new UndiciInstrumentation(),
  new PgInstrumentation(),
  new RedisInstrumentation(),
  new IORedisInstrumentation(),
  new SocketIoInstrumentation(),
  new RuntimeNodeInstrumentation(),
  new ExpressInstrumentation(),
];
