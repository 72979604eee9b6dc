/** The route label for paths no template matches: raw paths never become labels. */
export const OTHER_ROUTE = 'other';

/** Route templates (`/rooms/:id`, `/files/*`) or a function from a path to a template. */
export type RouteSource = readonly string[] | ((path: string) => string | undefined);

/** Labels must stay short and free of text a user typed. */
const TEMPLATE = /^\/[A-Za-z0-9._~:{}*/-]{0,127}$/;

function compile(template: string): RegExp {
  const pattern = template
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':') || /^\{.+\}$/.test(segment)) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${pattern}/?$`);
}

/**
 * Returns a function from `location.pathname` to a bounded route label: the first matching template,
 * or `other`. A function source is trusted only when it returns a well-formed template.
 */
export function routeResolver(source: RouteSource | undefined): (path: string) => string {
  if (typeof source === 'function') {
    return (path) => {
      const template = source(path);
      return template !== undefined && TEMPLATE.test(template) ? template : OTHER_ROUTE;
    };
  }
  const compiled = (source ?? []).filter((t) => TEMPLATE.test(t)).map((t) => [t, compile(t)] as const);
  return (path) => compiled.find(([, pattern]) => pattern.test(path))?.[0] ?? OTHER_ROUTE;
}
