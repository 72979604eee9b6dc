import { hostname } from 'node:os';
import type { Deps, RedisClient } from './context.js';

/** The Redis stream activities append to; also the `stream` label. */
export const LB_STREAM = 'lb:events';
export const LB_STREAM_LABEL = 'lb_events';
const GROUP = 'leaderboard';
export const BOARD_KEYS = { daily: 'lb:board:daily', all_time: 'lb:board:all_time' } as const;
export type BoardPeriod = keyof typeof BOARD_KEYS;

/** Appends a scoring event; the consumer turns it into leaderboard points. */
export async function publishScore(redis: RedisClient, event: { userId: string; points: number; kind: string }) {
  await redis.xAdd(
    LB_STREAM,
    '*',
    { user_id: event.userId, points: String(event.points), kind: event.kind },
    {
      TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: 100_000 },
    },
  );
}

export async function topOf(redis: RedisClient, period: BoardPeriod, count = 20) {
  const entries = await redis.zRangeWithScores(BOARD_KEYS[period], 0, count - 1, { REV: true });
  return entries.map((entry, i) => ({ rank: i + 1, user_id: entry.value, points: entry.score }));
}

/**
 * Consumes the leaderboard stream in a consumer group (at-least-once: acknowledged after the board
 * update), on its own connection because XREADGROUP blocks. Also reports the group's lag.
 */
export class LeaderboardConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly consumer = `${hostname()}-${process.pid}`;

  constructor(
    private readonly deps: Deps,
    private readonly blocking: RedisClient,
  ) {}

  async start(): Promise<void> {
    await this.ensureGroup();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Creates the consumer group (and stream) unless it exists; also after Redis lost its data. */
  private async ensureGroup(): Promise<void> {
    try {
      await this.deps.redis.xGroupCreate(LB_STREAM, GROUP, '0', { MKSTREAM: true });
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }

  /** Reads and applies one batch; returns how many events it processed. */
  async pollOnce(blockMs: number): Promise<number> {
    const reply = await this.blocking.xReadGroup(
      GROUP,
      this.consumer,
      { key: LB_STREAM, id: '>' },
      {
        COUNT: 100,
        BLOCK: blockMs,
      },
    );
    const messages = (reply as Array<{ messages: Array<{ id: string; message: Record<string, string> }> }> | null)?.[0]
      ?.messages;
    if (!messages || messages.length === 0) return 0;
    const tx = this.deps.redis.multi();
    for (const { message } of messages) {
      const points = Number(message.points);
      if (!message.user_id || !Number.isFinite(points)) continue;
      tx.zIncrBy(BOARD_KEYS.daily, points, message.user_id);
      tx.zIncrBy(BOARD_KEYS.all_time, points, message.user_id);
    }
    tx.xAck(
      LB_STREAM,
      GROUP,
      messages.map((m) => m.id),
    );
    await tx.exec();
    this.deps.obs.metrics.lbEventsProcessed.add(messages.length, { stream: LB_STREAM_LABEL });
    return messages.length;
  }

  /** Entries not yet delivered to the group plus delivered but unacknowledged ones. */
  async recordLag(): Promise<number> {
    const groups = (await this.deps.redis.xInfoGroups(LB_STREAM)) as unknown as Array<Record<string, unknown>>;
    const group = groups.find((g) => g.name === GROUP);
    const lag = Number(group?.lag ?? 0) + Number(group?.pending ?? 0);
    this.deps.obs.metrics.redisQueueLag.record(lag, { stream: LB_STREAM_LABEL });
    return lag;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        await this.pollOnce(1000);
        await this.recordLag();
        failures = 0;
      } catch (error) {
        if (!this.running) break;
        if (String((error as Error).message).includes('NOGROUP')) await this.ensureGroup().catch(() => {});
        failures++;
        this.deps.obs.logger.warn({ err: error, failures }, 'leaderboard consumer error; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * 2 ** failures)));
      }
    }
  }
}

/** Copies the current boards into PostgreSQL: the `leaderboard_snapshot` job. */
export async function snapshotBoards(deps: Deps): Promise<number> {
  let written = 0;
  for (const period of Object.keys(BOARD_KEYS) as BoardPeriod[]) {
    const entries = await topOf(deps.redis, period, 100);
    await deps.pool.query(
      'INSERT INTO leaderboard_snapshots (period, scope, board_key, entries) VALUES ($1, $2, $3, $4)',
      [period, 'global', BOARD_KEYS[period], JSON.stringify(entries)],
    );
    deps.obs.metrics.lbSnapshots.inc({ period, scope: 'global' });
    written++;
  }
  return written;
}

/** The daily rollover: a final snapshot of the day's board, then a fresh board. */
export async function rolloverDaily(deps: Deps): Promise<void> {
  const day = new Date().toISOString().slice(0, 10);
  const archive = `${BOARD_KEYS.daily}:${day}`;
  const entries = await topOf(deps.redis, 'daily', 100);
  await deps.pool.query(
    'INSERT INTO leaderboard_snapshots (period, scope, board_key, entries) VALUES ($1, $2, $3, $4)',
    ['daily', 'global', archive, JSON.stringify(entries)],
  );
  deps.obs.metrics.lbSnapshots.inc({ period: 'daily', scope: 'global' });
  // RENAME fails on a missing key: an empty day has nothing to archive.
  if ((await deps.redis.exists(BOARD_KEYS.daily)) === 1) {
    await deps.redis.rename(BOARD_KEYS.daily, archive);
    await deps.redis.expire(archive, 8 * 24 * 3600);
  }
}
