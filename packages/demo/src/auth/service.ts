import { randomUUID } from 'node:crypto';
import type { Deps } from '../context.js';
import { ApiError, conflict, unauthorized } from '../errors.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import { type TokenClaims, TokenError } from './tokens.js';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** Redis key marking a session revoked, so its still-valid access tokens are refused too. */
export const revokedFamilyKey = (family: string) => `auth:revoked_family:${family}`;

/** Registration, login with lockout, refresh rotation with reuse detection, logout. */
export class AuthService {
  constructor(private readonly deps: Deps) {}

  async register(input: { username: string; password: string; email?: string | undefined }): Promise<{ id: string }> {
    const { hash, salt } = await hashPassword(input.password);
    const id = randomUUID();
    try {
      await this.deps.pool.query(
        'INSERT INTO users (id, username, email, password_hash, password_salt) VALUES ($1, $2, $3, $4, $5)',
        [id, input.username, input.email ?? null, hash, salt],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw conflict('username_taken', 'username is already taken');
      throw error;
    }
    return { id };
  }

  async login(input: { username: string; password: string }, ip: string): Promise<TokenPair> {
    const { metrics } = this.deps.obs;
    const { rows } = await this.deps.pool.query<{
      id: string;
      password_hash: Buffer;
      password_salt: Buffer;
      failed_logins: number;
      locked: boolean;
    }>(
      'SELECT id, password_hash, password_salt, failed_logins, coalesce(locked_until > now(), false) AS locked FROM users WHERE username = $1',
      [input.username],
    );
    const user = rows[0];
    if (user?.locked) {
      metrics.identityLogins.inc({ outcome: 'locked' });
      metrics.identityRejects.inc({ reason: 'locked' });
      metrics.blockedRequests.inc({ reason: 'lockout' });
      this.failure('locked', ip, user.id);
      throw new ApiError(423, 'account_locked', 'too many failed logins; try again later');
    }
    const ok = user
      ? await verifyPassword(input.password, user.password_hash, user.password_salt)
      : await burnPasswordCheck(input.password).then(() => false);
    if (!user || !ok) {
      metrics.identityLogins.inc({ outcome: 'fail' });
      this.failure('invalid_credentials', ip, user?.id);
      if (user) await this.countFailure(user.id);
      throw unauthorized('invalid_credentials', 'username or password is wrong');
    }
    await this.deps.pool.query('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1', [user.id]);
    metrics.identityLogins.inc({ outcome: 'success' });
    metrics.authSessionsActive.inc();
    return this.issue(user.id, randomUUID());
  }

  /** Rotates a refresh token. A token that was already rotated means theft: the whole family is revoked. */
  async refresh(refreshToken: string, ip: string): Promise<TokenPair> {
    const { metrics } = this.deps.obs;
    let claims: TokenClaims;
    try {
      claims = await this.deps.tokens.verify('refresh', refreshToken);
    } catch (error) {
      const problem = error instanceof TokenError ? error.problem : 'invalid';
      metrics.refreshFailures.inc({ reason: problem });
      this.failure(problem === 'expired' ? 'expired_token' : 'invalid_token', ip, undefined);
      throw unauthorized(`${problem}_token`, `refresh token is ${problem}`);
    }
    const newJti = randomUUID();
    // Atomic: only one caller can rotate a given token.
    const rotated = await this.deps.pool.query(
      'UPDATE refresh_tokens SET revoked_at = now(), replaced_by = $2 WHERE id = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING id',
      [claims.jti, newJti],
    );
    if (rotated.rowCount === 1) {
      metrics.refreshRotations.inc();
      metrics.tokensRevoked.inc({ token_type: 'refresh' });
      return this.issue(claims.sub, claims.fam, newJti);
    }
    const { rows } = await this.deps.pool.query<{ replaced_by: string | null; revoked_at: Date | null }>(
      'SELECT replaced_by, revoked_at FROM refresh_tokens WHERE id = $1',
      [claims.jti],
    );
    const row = rows[0];
    if (row?.replaced_by) {
      metrics.refreshFailures.inc({ reason: 'reused' });
      metrics.securityEvents.inc({ type: 'token_reuse' });
      this.failure('invalid_token', ip, claims.sub);
      await this.revokeFamily(claims.fam);
      this.deps.obs.logger.warn({ user_id: claims.sub.slice(0, 2) }, 'refresh token reuse: session revoked');
      throw unauthorized('token_reused', 'refresh token was already used; the session is revoked');
    }
    const reason = row?.revoked_at ? 'revoked' : row ? 'expired' : 'invalid';
    metrics.refreshFailures.inc({ reason });
    this.failure('invalid_token', ip, claims.sub);
    throw unauthorized(`${reason}_token`, `refresh token is ${reason}`);
  }

  /** Ends the session the access token belongs to. */
  async logout(claims: TokenClaims): Promise<void> {
    await this.revokeFamily(claims.fam);
  }

  private async issue(userId: string, family: string, refreshJti?: string): Promise<TokenPair> {
    const { tokens, pool, obs } = this.deps;
    const refresh = await tokens.sign('refresh', { sub: userId, fam: family, ...(refreshJti && { jti: refreshJti }) });
    await pool.query(
      'INSERT INTO refresh_tokens (id, family_id, user_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))',
      [refresh.jti, family, userId, tokens.ttl('refresh')],
    );
    const access = await tokens.sign('access', { sub: userId, fam: family });
    obs.metrics.tokensIssued.inc({ token_type: 'access' });
    obs.metrics.tokensIssued.inc({ token_type: 'refresh' });
    return {
      access_token: access.token,
      refresh_token: refresh.token,
      token_type: 'Bearer',
      expires_in: tokens.ttl('access'),
    };
  }

  private async revokeFamily(family: string): Promise<void> {
    const { pool, redis, tokens, obs } = this.deps;
    const revoked = await pool.query(
      'UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
      [family],
    );
    // Access tokens are stateless: a short-lived deny-list entry covers their remaining lifetime.
    const firstTime = await redis.set(revokedFamilyKey(family), '1', { EX: tokens.ttl('access'), NX: true });
    if (firstTime === 'OK') {
      obs.metrics.tokensRevoked.inc({ token_type: 'access' });
      obs.metrics.authSessionsActive.dec();
    }
    if (revoked.rowCount) obs.metrics.tokensRevoked.add(revoked.rowCount, { token_type: 'refresh' });
  }

  private async countFailure(userId: string): Promise<void> {
    const { rows } = await this.deps.pool.query<{ locked: boolean }>(
      `UPDATE users SET failed_logins = failed_logins + 1,
         locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE locked_until END
       WHERE id = $1 RETURNING locked_until IS NOT NULL AND locked_until > now() AS locked`,
      [userId, this.deps.config.LOGIN_MAX_FAILURES, this.deps.config.LOCKOUT_S],
    );
    if (rows[0]?.locked) this.deps.obs.metrics.securityEvents.inc({ type: 'brute_force' });
  }

  private failure(
    reason: 'invalid_credentials' | 'invalid_token' | 'expired_token' | 'missing_token' | 'locked',
    ip: string,
    userId: string | undefined,
  ): void {
    const { metrics } = this.deps.obs;
    metrics.authFailures.inc({ reason });
    metrics.authFailuresByIp.inc({ ip_prefix: ip });
    if (userId) metrics.authFailuresByUser.inc({ user_id_prefix: userId });
  }
}

/**
 * Verifies a bearer access token and that its session is not revoked; records rejects by reason.
 * `onVerified` runs once the signature checks out, just before the revocation lookup, so a caller can
 * send its own Redis command in the same pipeline.
 */
export async function authenticate(
  deps: Deps,
  authorization: string | undefined,
  ip: string,
  onVerified?: (claims: TokenClaims) => void,
): Promise<TokenClaims> {
  const { metrics } = deps.obs;
  const reject = (reason: 'missing_token' | 'invalid_token' | 'expired_token' | 'revoked_token', message: string) => {
    metrics.identityRejects.inc({ reason });
    metrics.authFailures.inc({ reason: reason === 'revoked_token' ? 'invalid_token' : reason });
    metrics.authFailuresByIp.inc({ ip_prefix: ip });
    return unauthorized(reason, message);
  };
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match?.[1]) throw reject('missing_token', 'Authorization: Bearer <access token> is required');
  let claims: TokenClaims;
  try {
    claims = await deps.tokens.verify('access', match[1]);
  } catch (error) {
    const expired = error instanceof TokenError && error.problem === 'expired';
    throw reject(expired ? 'expired_token' : 'invalid_token', `access token is ${expired ? 'expired' : 'invalid'}`);
  }
  onVerified?.(claims);
  if ((await deps.redis.exists(revokedFamilyKey(claims.fam))) === 1) {
    throw reject('revoked_token', 'the session of this access token was revoked');
  }
  return claims;
}
