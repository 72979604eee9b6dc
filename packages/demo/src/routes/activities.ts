import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../context.js';
import { notFound } from '../errors.js';
import { guarded, userOf } from '../http.js';
import { type BoardPeriod, publishScore, topOf } from '../leaderboard.js';
import { parse } from '../validate.js';

const idParams = z.object({ id: z.uuid('expected a UUID') });
const periodParams = z.object({ period: z.enum(['daily', 'all_time'], 'expected daily or all_time') });

/** Activities (created/completed by kind) and the leaderboards their completion feeds. */
export function activityRoutes(deps: Deps): FastifyPluginAsync {
  const { metrics } = deps.obs;
  const kinds = deps.config.ACTIVITY_KINDS as [string, ...string[]];
  const activityBody = z.object({
    kind: z.enum(kinds, `expected one of ${kinds.join(', ')}`),
    title: z.string().trim().min(1, 'expected a title').max(120, 'expected at most 120 characters'),
    points: z.number().int().min(1, 'expected 1-100 points').max(100, 'expected 1-100 points').default(10),
  });
  const preHandler = guarded(deps, 'default');
  return async (app) => {
    app.post('/activities', { preHandler }, async (request, reply) => {
      const input = parse(activityBody, request.body, 'body');
      const id = randomUUID();
      await deps.pool.query('INSERT INTO activities (id, user_id, kind, title, points) VALUES ($1, $2, $3, $4, $5)', [
        id,
        userOf(request).sub,
        input.kind,
        input.title,
        input.points,
      ]);
      metrics.activitiesCreated.inc({ kind: input.kind });
      return reply.code(201).send({ id, kind: input.kind });
    });

    app.post('/activities/:id/complete', { preHandler }, async (request) => {
      const user = userOf(request).sub;
      const { id } = parse(idParams, request.params, 'params');
      const { rows } = await deps.pool.query<{ kind: string; points: number }>(
        'UPDATE activities SET completed_at = now() WHERE id = $1 AND user_id = $2 AND completed_at IS NULL RETURNING kind, points',
        [id, user],
      );
      const activity = rows[0];
      if (!activity) throw notFound('open activity');
      metrics.activitiesCompleted.inc({ kind: activity.kind });
      await publishScore(deps.redis, { userId: user, points: activity.points, kind: activity.kind });
      return { id, status: 'completed', points: activity.points };
    });

    app.get('/leaderboards/:period', { preHandler }, async (request) => {
      const { period } = parse(periodParams, request.params, 'params');
      return { period, entries: await topOf(deps.redis, period as BoardPeriod) };
    });
  };
}
