/**
 * Browser tokens on the local stack: ComfyUI's /view with a token (no key; the token opened with
 * the deployment's token key, cached per container) against /view with the key, for one of the
 * key's own outputs. Both answer a 302 to a signed URL; the difference is the token's cost.
 */
import { BENCH_KEY } from './local-bench';
import { percentiles } from './stats';

export interface BrowserTokenResult {
  views: number;
  keyViewMs: { p50: number; p99: number };
  tokenViewMs: { p50: number; p99: number };
}

async function timed(url: string, headers: Record<string, string>): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers, redirect: 'manual' });
  if (response.status !== 302) throw new Error(`${url}: ${response.status}`);
  return performance.now() - started;
}

/** `image` is one of BENCH_KEY's outputs as ComfyUI's history names it. */
export async function benchBrowserTokenViews(
  apiUrl: string,
  image: { filename: string; subfolder: string; type: string },
  views: number,
): Promise<BrowserTokenResult> {
  const query = `?${new URLSearchParams(image)}`;
  const issued = await fetch(`${apiUrl}comfyui/token`, { headers: { 'x-api-key': BENCH_KEY } });
  const { view_url: viewUrl } = (await issued.json()) as { view_url: string };
  const keyed: number[] = [];
  const token: number[] = [];
  for (let i = 0; i < views; i++) {
    keyed.push(await timed(`${apiUrl}comfyui/view${query}`, { 'x-api-key': BENCH_KEY }));
    token.push(await timed(`${viewUrl}${query}`, {}));
  }
  return { views, keyViewMs: percentiles(keyed), tokenViewMs: percentiles(token) };
}
