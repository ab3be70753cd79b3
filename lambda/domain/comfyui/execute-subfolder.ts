import { isPromptId } from '../prompt-id';

/**
 * Where ComfyUI clients are told an execute's files are: under a subfolder named for the execute.
 * Every execute runs on a ComfyUI whose output folder was emptied after the last one, so its
 * counters start again and two executes of one key both save `ComfyUI_00001_.png`; a real server
 * never gives two files one name. The execute's subfolder keeps every `{filename, subfolder,
 * type}` unique, and lets `/view` find the file with one read of that execute, however old.
 */
export function executeSubfolder(promptId: string, subfolder: string | undefined): string {
  return subfolder ? `${promptId}/${subfolder}` : promptId;
}

/** The execute and the subfolder ComfyUI gave, when `subfolder` is one of ours; else undefined. */
export function parseExecuteSubfolder(
  subfolder: string,
): { promptId: string; subfolder: string } | undefined {
  const [first = '', ...rest] = subfolder.split('/');
  return isPromptId(first) ? { promptId: first, subfolder: rest.join('/') } : undefined;
}
