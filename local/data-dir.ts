import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The folders of DATA_DIR, one per part that keeps data there. */
export const DATA_DIR_PARTS = ['dynamodb', 's3', 'comfyui', 'sagemaker'] as const;

/**
 * Makes DATA_DIR's part folders for this user alone (mode 700, existing ones closed too) and
 * makes every file the stack and the processes it starts write from now on private (umask 077):
 * they hold every key's prompts, inputs and outputs, and s3rver, DynamoDB Local and the simulator
 * would otherwise write them readable by every user of the machine.
 */
export function prepareDataDir(dataDir: string): void {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  for (const part of DATA_DIR_PARTS) {
    mkdirSync(join(dataDir, part), { recursive: true, mode: 0o700 });
    chmodSync(join(dataDir, part), 0o700);
  }
}
