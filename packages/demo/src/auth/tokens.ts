import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

export type TokenType = 'access' | 'refresh';

/** Claims of both token types: `sub` user id, `fam` the session (refresh-token family), `jti`. */
export interface TokenClaims {
  sub: string;
  fam: string;
  jti: string;
  typ: TokenType;
}

/** Why a token was refused. */
export type TokenProblem = 'invalid' | 'expired';

export class TokenError extends Error {
  constructor(readonly problem: TokenProblem) {
    super(`token ${problem}`);
    this.name = 'TokenError';
  }
}

const ISSUER = 'divan-api';

/** Signs and verifies HS256 access and refresh tokens. */
export class TokenSigner {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: Record<TokenType, number>,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async sign(
    type: TokenType,
    claims: { sub: string; fam: string; jti?: string },
  ): Promise<{ token: string; jti: string }> {
    const jti = claims.jti ?? randomUUID();
    const token = await new SignJWT({ fam: claims.fam, typ: type })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setJti(jti)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds[type]}s`)
      .sign(this.key);
    return { token, jti };
  }

  /** Verifies signature, issuer, expiry and type; throws {@link TokenError}. */
  async verify(type: TokenType, token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      if (payload.typ !== type || typeof payload.sub !== 'string' || typeof payload.fam !== 'string' || !payload.jti) {
        throw new TokenError('invalid');
      }
      return { sub: payload.sub, fam: payload.fam, jti: payload.jti, typ: type };
    } catch (error) {
      if (error instanceof TokenError) throw error;
      if (error instanceof errors.JWTExpired) throw new TokenError('expired');
      throw new TokenError('invalid');
    }
  }

  ttl(type: TokenType): number {
    return this.ttlSeconds[type];
  }
}
