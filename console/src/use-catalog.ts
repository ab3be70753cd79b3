import type { ComfyExecClient } from '@comfy-exec/client';
import { useEffect, useState } from 'preact/hooks';
import { type Catalog, loadCatalog } from './catalog';

/**
 * The catalog once it arrives: undefined while it loads, null when it cannot be had (the pages
 * work without it: plain fields instead of choices, the prompt's own input order).
 */
export function useCatalog(client: ComfyExecClient): Catalog | null | undefined {
  const [catalog, setCatalog] = useState<Catalog | null>();
  useEffect(() => {
    loadCatalog(client).then(setCatalog, () => setCatalog(null));
  }, [client]);
  return catalog;
}
