import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Campus, Deps } from '../context.js';
import { ApiError, badRequest } from '../errors.js';
import { guarded, userOf } from '../http.js';
import { check, parse } from '../validate.js';

// Redis GEO indexes latitudes within ±85.05112878° only (Web Mercator) and answers an error beyond.
const MAX_LAT = 85.05112878;
const lat = z.coerce
  .number()
  .min(-MAX_LAT, `expected a latitude in [-${MAX_LAT}, ${MAX_LAT}]`)
  .max(MAX_LAT, `expected a latitude in [-${MAX_LAT}, ${MAX_LAT}]`);
const lon = z.coerce
  .number()
  .min(-180, 'expected a longitude in [-180, 180]')
  .max(180, 'expected a longitude in [-180, 180]');
const campusId = z.string().regex(/^[a-z0-9_-]{1,32}$/, 'expected a campus id');

const heartbeat = z.object({
  campus_id: campusId,
  lat,
  lon,
  /** Client clock, epoch milliseconds: heartbeats too far off are stale. */
  ts: z.number().int().positive().optional(),
});
const nearbyQuery = z.object({
  campus_id: campusId,
  lat,
  lon,
  radius: z.coerce
    .number()
    .int()
    .min(1, 'expected a radius of at least 1 m')
    .max(5000, 'expected at most 5000 m')
    .default(250),
});

/** Redis GEO set of one campus: members are user ids at their last heartbeat position. */
export const campusGeoKey = (campus: string) => `geo:campus:${campus}`;
const presenceKey = (user: string) => `presence:${user}`;

/** Great-circle distance in metres. */
function distanceM(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const rad = Math.PI / 180;
  const dLat = (bLat - aLat) * rad;
  const dLon = (bLon - aLon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * rad) * Math.cos(bLat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

type RejectReason = 'validation' | 'unknown_campus' | 'outside_campus' | 'stale';

export function geoRoutes(deps: Deps): FastifyPluginAsync {
  const { metrics } = deps.obs;
  const reject = (reason: RejectReason, status: number, message: string) => {
    metrics.presenceRejects.inc({ reason });
    return new ApiError(status, reason, message);
  };
  const campusOf = (id: string): Campus | undefined => deps.campuses.get(id);

  return async (app) => {
    app.post(
      '/presence/heartbeat',
      {
        preHandler: [
          async (request) => {
            // Count unauthenticated heartbeats as presence rejects too, then let auth answer 401.
            if (request.headers.authorization === undefined) metrics.presenceRejects.inc({ reason: 'unauthenticated' });
          },
          guarded(deps, 'default'),
        ],
      },
      async (request) => {
        const user = userOf(request);
        const parsed = check(heartbeat, request.body, 'body');
        if (!parsed.ok) throw reject('validation', 400, parsed.message);
        const beat = parsed.data;
        const campus = campusOf(beat.campus_id);
        if (!campus) throw reject('unknown_campus', 400, `body.campus_id: unknown campus "${beat.campus_id}"`);
        if (beat.ts !== undefined && Math.abs(Date.now() - beat.ts) > deps.config.PRESENCE_MAX_SKEW_S * 1000) {
          throw reject('stale', 400, `body.ts: expected within ${deps.config.PRESENCE_MAX_SKEW_S}s of server time`);
        }
        if (distanceM(campus.lat, campus.lon, beat.lat, beat.lon) > campus.radiusM) {
          throw reject('outside_campus', 422, 'position is outside the campus geofence');
        }
        await deps.redis
          .multi()
          .geoAdd(campusGeoKey(campus.id), { longitude: beat.lon, latitude: beat.lat, member: user.sub })
          .set(presenceKey(user.sub), campus.id, { EX: deps.config.PRESENCE_TTL_S })
          .exec();
        metrics.presenceHeartbeats.inc({ campus_id: campus.id });
        return { status: 'ok', ttl_s: deps.config.PRESENCE_TTL_S };
      },
    );

    app.get('/proximity/nearby', { preHandler: guarded(deps, 'proximity') }, async (request) => {
      const user = userOf(request);
      const query = parse(nearbyQuery, request.query, 'query');
      if (!campusOf(query.campus_id))
        throw badRequest('unknown_campus', `query.campus_id: unknown campus "${query.campus_id}"`);
      const started = performance.now();
      const found = await deps.redis.geoSearchWith(
        campusGeoKey(query.campus_id),
        { longitude: query.lon, latitude: query.lat },
        { radius: query.radius, unit: 'm' },
        ['WITHDIST'],
        { SORT: 'ASC', COUNT: 51 },
      );
      const others = found.filter((hit) => hit.member !== user.sub).slice(0, 50);
      // Presence expires; members whose heartbeat key is gone are offline.
      const alive =
        others.length === 0 ? [] : await deps.redis.mGet(others.map((hit) => presenceKey(String(hit.member))));
      const users = others
        .filter((_, i) => alive[i] !== null)
        // Distances are rounded to 10 m so exact positions cannot be triangulated.
        .map((hit) => ({ user_id: String(hit.member), distance_m: Math.round(Number(hit.distance) / 10) * 10 }));
      const seconds = (performance.now() - started) / 1000;
      metrics.proximityQueries.inc({ radius: query.radius });
      metrics.proximityQueryDuration.record(seconds, { radius: query.radius });
      return { radius_m: query.radius, users };
    });
  };
}
