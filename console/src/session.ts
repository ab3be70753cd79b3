import { ComfyExecClient } from '@comfy-exec/client';

/** The key lives in this tab's sessionStorage only: never in a URL, a cookie or a log. */
const KEY_SLOT = 'comfy-exec.api-key';

export const storedKey = () => sessionStorage.getItem(KEY_SLOT);
export const storeKey = (key: string) => sessionStorage.setItem(KEY_SLOT, key);
export const forgetKey = () => sessionStorage.removeItem(KEY_SLOT);

/** Where the API is: `config.json` beside the app (written at deploy, served by `npm start`). */
export async function loadApiUrl(): Promise<string> {
  const response = await fetch('./config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return ((await response.json()) as { apiUrl: string }).apiUrl;
}

export const clientFor = (apiUrl: string, apiKey: string) => new ComfyExecClient({ apiUrl, apiKey });

export { isKeyRefused } from './key-refusal';
