import type { ComfyExecClient } from '@comfy-exec/client';
import { useEffect, useState } from 'preact/hooks';
import type { PromptGraph } from './prompt-summary';

/**
 * ListExecutes rows carry no prompt: each card reads its execute's once (a prompt never changes),
 * two at a time so a page of cards does not burst past the key's throttle.
 */
// Per client (per key): what one key read is never shown under another.
const promptsByClient = new WeakMap<ComfyExecClient, Map<string, Promise<PromptGraph | undefined>>>();
let running = 0;
const waiting: (() => void)[] = [];

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** The execute's prompt, read once per page load; undefined until it arrives (or if it cannot). */
export function useExecutePrompt(client: ComfyExecClient, promptId: string): PromptGraph | undefined {
  const [prompt, setPrompt] = useState<PromptGraph>();
  useEffect(() => {
    const prompts = promptsByClient.get(client) ?? new Map<string, Promise<PromptGraph | undefined>>();
    promptsByClient.set(client, prompts);
    let pending = prompts.get(promptId);
    if (!pending) {
      pending = inTurn(() => client.get(promptId)).then(
        (execute) => execute.prompt_params.prompt as PromptGraph | undefined,
        () => {
          prompts.delete(promptId);
          return undefined;
        },
      );
      prompts.set(promptId, pending);
    }
    let live = true;
    void pending.then((found) => live && setPrompt(found));
    return () => {
      live = false;
    };
  }, [client, promptId]);
  return prompt;
}
