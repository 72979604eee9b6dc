import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// scrypt cost parameters (N=2^14, r=8, p=1): OWASP's minimum for interactive logins, ~50 ms here.
const KEY_LENGTH = 64;
const COST = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, COST, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** A fresh per-user salt and the scrypt hash of `password`. */
export async function hashPassword(password: string): Promise<{ hash: Buffer; salt: Buffer }> {
  const salt = randomBytes(16);
  return { hash: await derive(password, salt), salt };
}

/** Constant-time comparison of `password` against a stored hash. */
export async function verifyPassword(password: string, hash: Buffer, salt: Buffer): Promise<boolean> {
  const candidate = await derive(password, salt);
  return candidate.length === hash.length && timingSafeEqual(candidate, hash);
}

// Verifying against a dummy hash when the user does not exist keeps the timing of "no such user"
// equal to "wrong password", so usernames cannot be probed.
let dummy: Promise<{ hash: Buffer; salt: Buffer }> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword('not-a-real-password');
  const { hash, salt } = await dummy;
  await verifyPassword(password, hash, salt);
}
