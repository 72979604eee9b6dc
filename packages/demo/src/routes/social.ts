import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ChatService } from '../chat.js';
import type { Deps } from '../context.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { guarded, userOf } from '../http.js';
import { parse } from '../validate.js';

const uuid = z.uuid('expected a UUID');
const idParams = z.object({ id: uuid });
const inviteBody = z.object({ to_user_id: uuid });
const messageBody = z.object({
  to_user_id: uuid,
  body: z.string().min(1, 'expected a non-empty message').max(4000, 'expected at most 4000 characters'),
});
const historyQuery = z.object({ with: uuid });
const roomBody = z.object({
  name: z.string().trim().min(1, 'expected a room name').max(80, 'expected at most 80 characters'),
});
const roomMessage = z.object({
  body: z.string().min(1, 'expected a non-empty message').max(4000, 'expected at most 4000 characters'),
});

/** Invites, friendships, direct chat and rooms. */
export function socialRoutes(deps: Deps, chat: ChatService): FastifyPluginAsync {
  const { metrics } = deps.obs;
  const chatLimit = guarded(deps, 'chat');
  const defaultLimit = guarded(deps, 'default');
  return async (app) => {
    app.post('/invites', { preHandler: defaultLimit }, async (request, reply) => {
      const from = userOf(request).sub;
      const { to_user_id: to } = parse(inviteBody, request.body, 'body');
      if (to === from) throw badRequest('self_invite', 'body.to_user_id: cannot invite yourself');
      if (await chat.areFriends(from, to)) throw conflict('already_friends', 'you are already friends');
      const id = randomUUID();
      try {
        await deps.pool.query('INSERT INTO invites (id, from_user, to_user) VALUES ($1, $2, $3)', [id, from, to]);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === '23503') throw notFound('user');
        if (code === '23505') throw conflict('invite_pending', 'an invite to this user is already pending');
        throw error;
      }
      metrics.invitesSent.inc();
      return reply.code(201).send({ id, status: 'pending' });
    });

    app.post('/invites/:id/accept', { preHandler: defaultLimit }, async (request) => {
      const user = userOf(request).sub;
      const { id } = parse(idParams, request.params, 'params');
      const client = await deps.pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ from_user: string }>(
          "UPDATE invites SET status = 'accepted', accepted_at = now() WHERE id = $1 AND to_user = $2 AND status = 'pending' RETURNING from_user",
          [id, user],
        );
        const from = rows[0]?.from_user;
        if (from === undefined) {
          await client.query('ROLLBACK');
          throw notFound('pending invite');
        }
        const [a, b] = from < user ? [from, user] : [user, from];
        const created = await client.query(
          'INSERT INTO friendships (user_a, user_b) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [a, b],
        );
        await client.query('COMMIT');
        metrics.invitesAccept.inc();
        if (created.rowCount === 1) metrics.friendshipsAccepted.inc();
        return { id, status: 'accepted', friend_id: from };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    });

    app.get('/friends', { preHandler: defaultLimit }, async (request) => {
      const user = userOf(request).sub;
      const { rows } = await deps.pool.query<{ id: string; username: string }>(
        `SELECT u.id, u.username FROM friendships f
         JOIN users u ON u.id = CASE WHEN f.user_a = $1 THEN f.user_b ELSE f.user_a END
         WHERE f.user_a = $1 OR f.user_b = $1 ORDER BY u.username`,
        [user],
      );
      return { friends: rows };
    });

    app.post('/chat/messages', { preHandler: chatLimit }, async (request, reply) => {
      const input = parse(messageBody, request.body, 'body');
      return reply.code(201).send(await chat.send(userOf(request).sub, input.to_user_id, input.body));
    });
    app.get('/chat/messages', { preHandler: chatLimit }, async (request) => ({
      messages: await chat.history(userOf(request).sub, parse(historyQuery, request.query, 'query').with),
    }));
    app.post('/chat/messages/:id/delivered', { preHandler: chatLimit }, async (request) =>
      chat.receipt(userOf(request).sub, parse(idParams, request.params, 'params').id, 'delivered'),
    );
    app.post('/chat/messages/:id/read', { preHandler: chatLimit }, async (request) =>
      chat.receipt(userOf(request).sub, parse(idParams, request.params, 'params').id, 'read'),
    );

    app.post('/rooms', { preHandler: chatLimit }, async (request, reply) =>
      reply.code(201).send(await chat.createRoom(userOf(request).sub, parse(roomBody, request.body, 'body').name)),
    );
    app.post('/rooms/:id/join', { preHandler: chatLimit }, async (request) =>
      chat.joinRoom(userOf(request).sub, parse(idParams, request.params, 'params').id),
    );
    app.post('/rooms/:id/messages', { preHandler: chatLimit }, async (request, reply) => {
      const { id } = parse(idParams, request.params, 'params');
      const { body } = parse(roomMessage, request.body, 'body');
      return reply.code(201).send(await chat.sendToRoom(userOf(request).sub, id, body));
    });
  };
}
