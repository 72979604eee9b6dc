import type { DivanConfig } from './config.js';
import type { RedisClient } from './context.js';
import type { DomainMetrics } from './obs.js';

/** Route groups that share a limit; the bucket is also the `bucket` label. */
export type Bucket = 'auth' | 'chat' | 'proximity' | 'default';

export interface Decision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetS: number;
}

/**
 * Fixed-window counters in Redis, shared by every instance: one INCR per request. The key is the
 * bucket, the caller (user id, else IP) and the window number; it expires with the window.
 */
export class RateLimiter {
  private readonly limits: Record<Bucket, number>;

  constructor(
    private readonly redis: RedisClient,
    private readonly metrics: DomainMetrics,
    private readonly config: DivanConfig,
  ) {
    this.limits = {
      auth: config.RATE_LIMIT_AUTH,
      chat: config.RATE_LIMIT_CHAT,
      proximity: config.RATE_LIMIT_PROXIMITY,
      default: config.RATE_LIMIT_DEFAULT,
    };
  }

  async take(bucket: Bucket, caller: string, now = Date.now()): Promise<Decision> {
    const windowS = this.config.RATE_LIMIT_WINDOW_S;
    const window = Math.floor(now / 1000 / windowS);
    const key = `rl:${bucket}:${caller}:${window}`;
    const [count] = (await this.redis
      .multi()
      .incr(key)
      .expire(key, windowS + 1)
      .exec()) as unknown as [number];
    const limit = this.limits[bucket];
    const resetS = Math.max(1, Math.ceil((window + 1) * windowS - now / 1000));
    const allowed = count <= limit;
    if (!allowed) {
      this.metrics.rateLimitHits.inc({ bucket });
      this.metrics.blockedRequests.inc({ reason: 'rate_limit' });
    }
    return { allowed, limit, remaining: Math.max(0, limit - count), resetS };
  }
}
