/**
 * The collector's `probabilistic` tail-sampling policy, reproduced so the SDK knows which ordinary
 * traces the collector will keep (opentelemetry-collector-contrib v0.161.0,
 * processor/tailsamplingprocessor/internal/sampling/probabilistic.go, the default path with the
 * `usetracestate` feature gate off): FNV-1a 64 over the salt "default-hash-seed" followed by the 16
 * trace-id bytes; the trace is kept when that hash is <= floor((2^64 - 1) * percentage / 100), the
 * product rounded to 64 significant bits as Go's big.Float does.
 */

/** The policy's salt when `hash_salt` is not set (otelcol.yaml does not set it). */
export const DEFAULT_HASH_SALT = 'default-hash-seed';

const MAX_UINT64 = (1n << 64n) - 1n;

/** 64-bit values as four 16-bit limbs, least significant first: exact in plain numbers, no BigInt per call. */
type Limbs = [number, number, number, number];

const FNV_OFFSET: Limbs = [0x2325, 0x8422, 0x9ce4, 0xcbf2]; // 0xcbf29ce484222325

/**
 * One FNV-1a step: xor the byte, multiply by the FNV prime 2^40 + 0x1b3 modulo 2^64. Every partial
 * sum stays below 2^27, so 32-bit integer operations are exact.
 */
function step(h: Limbs, byte: number): void {
  const h0 = h[0] ^ byte;
  const h1 = h[1];
  const t0 = h0 * 0x1b3;
  const t1 = h1 * 0x1b3 + (t0 >>> 16);
  const t2 = h[2] * 0x1b3 + (t1 >>> 16) + (h0 << 8);
  const t3 = h[3] * 0x1b3 + (t2 >>> 16) + (h1 << 8);
  h[0] = t0 & 0xffff;
  h[1] = t1 & 0xffff;
  h[2] = t2 & 0xffff;
  h[3] = t3 & 0xffff;
}

function toLimbs(value: bigint): Limbs {
  return [0, 1, 2, 3].map((i) => Number((value >> BigInt(16 * i)) & 0xffffn)) as Limbs;
}

/** FNV-1a 64 of `salt` then `bytes`, as a BigInt (for tests and diagnostics). */
export function fnv1a64(salt: string, bytes: Uint8Array): bigint {
  const h = [...FNV_OFFSET] as Limbs;
  for (const byte of new TextEncoder().encode(salt)) step(h, byte);
  for (const byte of bytes) step(h, byte);
  return h.reduce((acc, limb, i) => acc | (BigInt(limb) << BigInt(16 * i)), 0n);
}

/**
 * floor((2^64 - 1) * ratio) with the product rounded to 64 significant bits (nearest, ties to even),
 * as `calculateThreshold` computes it with big.Float; ratios outside [0, 1] are clamped.
 */
export function calculateThreshold(ratio: number): bigint {
  if (!(ratio > 0)) return 0n;
  if (ratio >= 1) return MAX_UINT64;
  // ratio = mantissa * 2^exponent exactly (a float64 has a 53-bit mantissa).
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, ratio);
  const bits = view.getBigUint64(0);
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biasedExponent === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biasedExponent === 0 ? 1 : biasedExponent) - 1075;
  let product = MAX_UINT64 * mantissa;
  const length = product.toString(2).length;
  let shift = 0n;
  if (length > 64) {
    shift = BigInt(length - 64);
    const quotient = product >> shift;
    const remainder = product & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    const rounded = remainder > half || (remainder === half && (quotient & 1n) === 1n) ? quotient + 1n : quotient;
    product = rounded;
  }
  const scale = shift + BigInt(exponent);
  const value = scale >= 0n ? product << scale : product >> -scale;
  return value > MAX_UINT64 ? MAX_UINT64 : value;
}

/** The value of one hex digit's char code, or -1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/** Decides, from a trace id alone, what the collector's probabilistic policy decides. */
export class ProbabilisticRule {
  private readonly threshold: Limbs;
  private readonly salted: Limbs;
  readonly all: boolean;
  readonly none: boolean;

  /** @param percentage the policy's `sampling_percentage` (0-100) */
  constructor(percentage: number, salt = DEFAULT_HASH_SALT) {
    const threshold = calculateThreshold(percentage / 100);
    this.threshold = toLimbs(threshold);
    this.all = threshold === MAX_UINT64;
    this.none = !(percentage > 0);
    this.salted = [...FNV_OFFSET] as Limbs;
    for (const byte of new TextEncoder().encode(salt)) step(this.salted, byte);
  }

  /** True when the collector's probabilistic policy keeps the trace with this (hex) id. */
  keeps(traceId: string): boolean {
    if (this.all) return true;
    if (this.none) return false;
    if (traceId.length !== 32) return false;
    const h: Limbs = [this.salted[0], this.salted[1], this.salted[2], this.salted[3]];
    for (let i = 0; i < 32; i += 2) {
      const high = hexDigit(traceId.charCodeAt(i));
      const low = hexDigit(traceId.charCodeAt(i + 1));
      if (high < 0 || low < 0) return false;
      step(h, high * 16 + low);
    }
    for (let i = 3; i >= 0; i--) {
      if ((h[i] as number) !== (this.threshold[i] as number)) return (h[i] as number) < (this.threshold[i] as number);
    }
    return true; // equal: the policy keeps hash <= threshold
  }
}
