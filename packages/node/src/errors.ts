/** An error with a stable `SIGHTLINE_*` code, so callers can branch on `error.code`. */
export class SightlineError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = 'SightlineError';
    this.code = code;
  }
}
