// Divan's metrics: the catalogs it passes to init({ catalogs }) and the typed recorders it records with.
import type { Recorders } from '@sightline/node';
import type { domainCatalog } from './definitions.js';

export { businessCatalog, DIVAN_CATALOGS, domainCatalog, NAMESPACE } from './definitions.js';

/** Typed recorders for every synchronous metric of Divan's domain catalog. */
export type DomainMetrics = Recorders<typeof domainCatalog>;
