import { useEffect, useState } from 'preact/hooks';

/**
 * The console's pages, by hash: `#/`, `#/executes/{id}`, `#/run`, `#/templates`,
 * `#/templates/{name}`, `#/endpoints`, `#/usage`.
 */
export type Route =
  | { page: 'gallery' }
  | { page: 'execute'; id: string }
  | { page: 'run' }
  | { page: 'templates' }
  | { page: 'template'; name: string }
  | { page: 'endpoints' }
  | { page: 'usage' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const execute = /^\/executes\/([0-9a-f-]{36})$/.exec(path);
  if (execute) return { page: 'execute', id: execute[1]! };
  if (path === '/run') return { page: 'run' };
  if (path === '/templates') return { page: 'templates' };
  // The API's template names (a letter, then letters, digits, _ or -) need no escaping in a URL.
  const template = /^\/templates\/([A-Za-z][A-Za-z0-9_-]{0,63})$/.exec(path);
  if (template) return { page: 'template', name: template[1]! };
  if (path === '/endpoints') return { page: 'endpoints' };
  if (path === '/usage') return { page: 'usage' };
  return { page: 'gallery' };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export const go = (hash: string) => {
  location.hash = hash;
};
