// The process whose idle RSS bench/nodesdk-rss.ts reads: loads what a Fastify + pg + Redis service
// loads, serves one request to itself so lazy paths run, then reports its RSS after a GC.
import Fastify from 'fastify';
import 'pg';
import 'ioredis';

const app = Fastify();
app.get('/items/:id', async (request) => ({ id: request.params.id }));
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address();
for (let i = 0; i < 200; i++) await (await fetch(`http://127.0.0.1:${port}/items/${i}`)).json();
await new Promise((resolve) => setTimeout(resolve, 500));
globalThis.gc?.();
process.stdout.write(`${JSON.stringify({ rssMb: process.memoryUsage().rss / 2 ** 20 })}\n`);
await app.close();
process.exit(0);
