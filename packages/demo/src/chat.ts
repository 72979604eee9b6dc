import { randomUUID } from 'node:crypto';
import type { Server } from 'socket.io';
import type { Deps } from './context.js';
import { forbidden, notFound } from './errors.js';

/** The Socket.IO room every connection of a user joins, so messages reach all their devices. */
export const userRoom = (userId: string) => `user:${userId}`;
export const chatRoom = (roomId: string) => `room:${roomId}`;

const orderedPair = (a: string, b: string): [string, string] => (a < b ? [a, b] : [b, a]);

/** Direct messages, receipts and rooms; shared by the HTTP routes and the Socket.IO handlers. */
export class ChatService {
  private io: Server | undefined;

  constructor(private readonly deps: Deps) {}

  /** Pushes to connected clients once Socket.IO is up. */
  attach(io: Server): void {
    this.io = io;
  }

  async areFriends(a: string, b: string): Promise<boolean> {
    const [x, y] = orderedPair(a, b);
    const { rowCount } = await this.deps.pool.query('SELECT 1 FROM friendships WHERE user_a = $1 AND user_b = $2', [
      x,
      y,
    ]);
    return rowCount === 1;
  }

  async send(from: string, to: string, body: string): Promise<{ id: string; created_at: string }> {
    if (from === to) throw forbidden('self_message', 'body.to_user_id: cannot message yourself');
    const id = randomUUID();
    const [a, b] = orderedPair(from, to);
    // One round trip: the insert happens only when the friendship exists.
    const { rows } = await this.deps.pool.query<{ created_at: Date }>(
      `INSERT INTO messages (id, sender_id, recipient_id, body)
       SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM friendships WHERE user_a = $5 AND user_b = $6)
       RETURNING created_at`,
      [id, from, to, body, a, b],
    );
    if (rows.length === 0) throw forbidden('not_friends', 'body.to_user_id: you can only message friends');
    const createdAt = (rows[0]?.created_at ?? new Date()).toISOString();
    this.deps.obs.metrics.chatSend.inc();
    this.io?.to(userRoom(to)).emit('chat:message', { id, from, body, created_at: createdAt });
    return { id, created_at: createdAt };
  }

  /** Marks a message delivered (or read) by its recipient; idempotent, and tells the sender. */
  async receipt(
    userId: string,
    messageId: string,
    kind: 'delivered' | 'read',
  ): Promise<{ id: string; status: string }> {
    const column = kind === 'read' ? 'read_at' : 'delivered_at';
    // Reading implies delivery.
    const extra = kind === 'read' ? ', delivered_at = coalesce(delivered_at, now())' : '';
    const { rows } = await this.deps.pool.query<{ sender_id: string; changed: boolean }>(
      `UPDATE messages SET ${column} = coalesce(${column}, now())${extra}
       WHERE id = $1 AND recipient_id = $2 RETURNING sender_id, true AS changed`,
      [messageId, userId],
    );
    const row = rows[0];
    if (!row) throw notFound('message');
    const { metrics } = this.deps.obs;
    if (kind === 'read') metrics.chatReadUpdates.inc();
    else metrics.chatDeliveredUpdates.inc();
    this.io?.to(userRoom(row.sender_id)).emit(`chat:${kind}`, { id: messageId });
    return { id: messageId, status: kind };
  }

  async history(userId: string, withUser: string): Promise<unknown[]> {
    const { rows } = await this.deps.pool.query(
      `SELECT id, sender_id, recipient_id, body, created_at, delivered_at, read_at FROM messages
       WHERE (sender_id = $1 AND recipient_id = $2) OR (sender_id = $2 AND recipient_id = $1)
       ORDER BY created_at DESC LIMIT 50`,
      [userId, withUser],
    );
    return rows;
  }

  async createRoom(owner: string, name: string): Promise<{ id: string; name: string }> {
    const id = randomUUID();
    const client = await this.deps.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO rooms (id, name, owner_id) VALUES ($1, $2, $3)', [id, name, owner]);
      await client.query('INSERT INTO room_members (room_id, user_id) VALUES ($1, $2)', [id, owner]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
    this.deps.obs.metrics.roomsCreated.inc();
    return { id, name };
  }

  async joinRoom(userId: string, roomId: string): Promise<{ id: string; joined: boolean }> {
    const { rows } = await this.deps.pool.query<{ inserted: boolean }>(
      `WITH room AS (SELECT id FROM rooms WHERE id = $1)
       INSERT INTO room_members (room_id, user_id) SELECT id, $2 FROM room
       ON CONFLICT DO NOTHING RETURNING true AS inserted`,
      [roomId, userId],
    );
    if (rows.length === 0) {
      const exists = await this.deps.pool.query('SELECT 1 FROM rooms WHERE id = $1', [roomId]);
      if (exists.rowCount === 0) throw notFound('room');
      return { id: roomId, joined: false };
    }
    this.deps.obs.metrics.roomsJoin.inc();
    return { id: roomId, joined: true };
  }

  async isMember(userId: string, roomId: string): Promise<boolean> {
    const { rowCount } = await this.deps.pool.query('SELECT 1 FROM room_members WHERE room_id = $1 AND user_id = $2', [
      roomId,
      userId,
    ]);
    return rowCount === 1;
  }

  async sendToRoom(userId: string, roomId: string, body: string): Promise<{ id: string }> {
    if (!(await this.isMember(userId, roomId))) throw forbidden('not_member', 'join the room before sending to it');
    const id = randomUUID();
    await this.deps.pool.query('INSERT INTO room_messages (id, room_id, sender_id, body) VALUES ($1, $2, $3, $4)', [
      id,
      roomId,
      userId,
      body,
    ]);
    this.deps.obs.metrics.roomsSend.inc();
    this.io?.to(chatRoom(roomId)).emit('room:message', { id, room_id: roomId, from: userId, body });
    return { id };
  }
}
