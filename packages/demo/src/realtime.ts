import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { authenticate } from './auth/service.js';
import { type ChatService, chatRoom, userRoom } from './chat.js';
import type { Deps } from './context.js';
import { ApiError } from './errors.js';
import { check } from './validate.js';

const uuid = z.uuid('expected a UUID');
const sendPayload = z.object({ to_user_id: uuid, body: z.string().min(1).max(4000) });
const receiptPayload = z.object({ message_id: uuid });
const roomPayload = z.object({ room_id: uuid });
const roomSendPayload = z.object({ room_id: uuid, body: z.string().min(1).max(4000) });

type Ack = (reply: { ok: true; data?: unknown } | { ok: false; error: string; message: string }) => void;

/**
 * Socket.IO: the handshake carries `auth.token` (an access token); each connection joins its user's
 * room. Handlers answer through the ack callback with `{ ok, data }` or `{ ok: false, error, message }`.
 */
export function attachRealtime(io: Server, deps: Deps, chat: ChatService): void {
  const { metrics, logger } = deps.obs;
  io.use(async (socket, next) => {
    try {
      const token = (socket.handshake.auth as { token?: unknown }).token;
      const claims = await authenticate(
        deps,
        typeof token === 'string' ? `Bearer ${token}` : undefined,
        socket.handshake.address,
      );
      socket.data.userId = claims.sub;
      next();
    } catch (error) {
      next(new Error(error instanceof ApiError ? error.code : 'unauthorized'));
    }
  });

  io.on('connection', (socket: Socket) => {
    const userId = socket.data.userId as string;
    void socket.join(userRoom(userId));

    // Validation and domain errors go back to the client; anything else is rethrown so the SDK's
    // handler span records it and counts it in divan.unhandled.exceptions.
    const handle =
      <T>(schema: z.ZodType<T>, type: 'chat' | 'receipt', action: (input: T) => Promise<unknown>) =>
      async (payload: unknown, ack?: Ack) => {
        const reply: Ack = typeof ack === 'function' ? ack : () => {};
        metrics.socketioMessages.inc({ type });
        // The same guard as the HTTP routes: text PostgreSQL or Redis would refuse never reaches them.
        const parsed = check(schema, payload, 'payload');
        if (!parsed.ok) {
          reply({ ok: false, error: 'validation', message: parsed.message });
          return;
        }
        try {
          reply({ ok: true, data: await action(parsed.data) });
        } catch (error) {
          if (error instanceof ApiError) {
            reply({ ok: false, error: error.code, message: error.message });
            return;
          }
          reply({ ok: false, error: 'internal', message: 'internal error' });
          logger.error({ err: error }, 'socket handler failed');
          throw error;
        }
      };

    socket.on(
      'chat:send',
      handle(sendPayload, 'chat', (p) => chat.send(userId, p.to_user_id, p.body)),
    );
    socket.on(
      'chat:delivered',
      handle(receiptPayload, 'receipt', (p) => chat.receipt(userId, p.message_id, 'delivered')),
    );
    socket.on(
      'chat:read',
      handle(receiptPayload, 'receipt', (p) => chat.receipt(userId, p.message_id, 'read')),
    );
    socket.on(
      'room:join',
      handle(roomPayload, 'chat', async (p) => {
        const joined = await chat.joinRoom(userId, p.room_id);
        await socket.join(chatRoom(p.room_id));
        return joined;
      }),
    );
    socket.on(
      'room:send',
      handle(roomSendPayload, 'chat', (p) => chat.sendToRoom(userId, p.room_id, p.body)),
    );
  });
}
