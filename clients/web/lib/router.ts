/** @module Client-side routing over the History API: the server answers every page path with the same shell. */
import { useEffect, useState } from 'hono/jsx';

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  if (path !== location.pathname + location.search + location.hash) history.pushState(null, '', path);
  // Notify even when the URL is unchanged: a page may have replaced it already (e.g. to drop a token).
  for (const listener of listeners) listener();
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return path;
}
