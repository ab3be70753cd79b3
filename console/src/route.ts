import { useEffect, useState } from 'preact/hooks';

/** The console's pages, by hash: `#/`, `#/executes/{id}`, `#/run`, `#/endpoints`. */
export type Route =
  | { page: 'gallery' }
  | { page: 'execute'; id: string }
  | { page: 'run' }
  | { page: 'endpoints' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const execute = /^\/executes\/([0-9a-f-]{36})$/.exec(path);
  if (execute) return { page: 'execute', id: execute[1]! };
  if (path === '/run') return { page: 'run' };
  if (path === '/endpoints') return { page: 'endpoints' };
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
