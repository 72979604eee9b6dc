/** The instrumentation scope of the SDK's own tracer, meter and logger. */
export const INSTRUMENTATION_SCOPE = '@sightline/node';
