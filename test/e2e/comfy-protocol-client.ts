/**
 * A client written from ComfyUI's protocol alone (shared/docs/comfyui-server-api.md), as
 * ComfyUI's script_examples are: the base URL is `{api}/comfyui/`, the key goes in x-api-key.
 * `prefix` `comfyui/api/` calls the same routes as ComfyUI's own frontend does, under `/api`.
 */
export function comfyProtocolClient(apiUrl: string, key: string, prefix = 'comfyui/') {
  const base = () => `${apiUrl}${prefix}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(base() + path, {
      method,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
    };
  };
  return {
    call,
    queuePrompt: (prompt: unknown, clientId = 'script') =>
      call('POST', 'prompt', { prompt, client_id: clientId }),
    async history(promptId: string, timeoutMs = 30_000) {
      for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
        const { body } = await call('GET', `history/${promptId}`);
        if (body[promptId]) return body[promptId];
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no history for ${promptId}`);
    },
    view: (item: { filename: string; subfolder: string; type: string }) =>
      fetch(`${base()}view?${new URLSearchParams(item)}`, { headers: { 'x-api-key': key } }),
  };
}
