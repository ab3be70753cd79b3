import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import envPaths from 'env-paths';
import { type FoundLocalStack, findLocalStacks, localStackFolder } from '../src/node/local-stack-file';
import { UsageError } from './exit-codes';

export interface Connection {
  apiUrl: string;
  apiKey: string;
  /** Where the settings came from, for --verbose and error messages. */
  source: string;
  /** Something the user must hear about the choice (several local stacks running): for stderr. */
  notice?: string;
}

/** `{config folder}/comfy-exec/config.json`: `{"profiles": {"NAME": {"api_url": …, "api_key": …}}}`. */
export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.COMFY_EXEC_CONFIG || join(envPaths('comfy-exec', { suffix: '' }).config, 'config.json');
}

function profile(name: string, path: string, required: boolean): Connection | undefined {
  if (!existsSync(path)) {
    if (required) throw new UsageError(`--profile ${name}: there is no config file at ${path}`);
    return undefined;
  }
  let profiles: Record<string, { api_url?: string; api_key?: string }>;
  try {
    profiles = (JSON.parse(readFileSync(path, 'utf8')) as { profiles?: typeof profiles }).profiles ?? {};
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const chosen = profiles[name];
  if (!chosen) {
    if (required)
      throw new UsageError(
        `no profile '${name}' in ${path} (it has: ${Object.keys(profiles).join(', ') || 'none'})`,
      );
    return undefined;
  }
  if (!chosen.api_url || !chosen.api_key)
    throw new UsageError(`profile '${name}' in ${path} needs api_url and api_key`);
  return { apiUrl: chosen.api_url, apiKey: chosen.api_key, source: `profile '${name}' (${path})` };
}

/**
 * Where to send requests, first found: --api-url/--api-key, COMFY_EXEC_API_URL/COMFY_EXEC_API_KEY,
 * --profile (or COMFY_EXEC_PROFILE, or a profile named "default"), a running `npm start`.
 */
export function resolveConnection(
  flags: { apiUrl?: string; apiKey?: string; profile?: string },
  env: NodeJS.ProcessEnv = process.env,
): Connection {
  const apiUrl = flags.apiUrl ?? env.COMFY_EXEC_API_URL;
  const apiKey = flags.apiKey ?? env.COMFY_EXEC_API_KEY;
  if (apiUrl && apiKey) return { apiUrl, apiKey, source: flags.apiUrl ? 'flags' : 'environment' };
  if (apiUrl)
    throw new UsageError('set the API key too (--api-key or COMFY_EXEC_API_KEY): a URL alone names no owner');
  if (apiKey) {
    // Another key of a running npm start (API_KEYS=a,b): its URL, this key.
    const [running] = findLocalStacks(env);
    if (running)
      return {
        apiUrl: running.info.api_url,
        apiKey,
        source: `npm start (pid ${running.info.pid}) with the key given`,
      };
    throw new UsageError(
      'set the API URL too (--api-url or COMFY_EXEC_API_URL): no running npm start to take it from',
    );
  }
  const named = flags.profile ?? env.COMFY_EXEC_PROFILE;
  const fromProfile = profile(named ?? 'default', configFile(env), named !== undefined);
  if (fromProfile) return fromProfile;
  const [local, ...others] = findLocalStacks(env);
  if (local)
    return {
      apiUrl: local.info.api_url,
      apiKey: local.info.api_key,
      source: `npm start (pid ${local.info.pid}, ${local.file})`,
      ...(others.length > 0 ? { notice: severalLocalStacks(local, others) } : {}),
    };
  const where = env.COMFY_EXEC_LOCAL_STACK_FILE
    ? `at ${env.COMFY_EXEC_LOCAL_STACK_FILE}`
    : `in ${localStackFolder(env)}`;
  throw new UsageError(
    `no API to talk to: set COMFY_EXEC_API_URL and COMFY_EXEC_API_KEY, use --profile, or run \`npm start\` in the project (no running one has left its file ${where})`,
  );
}

/** Which of several running `npm start`s the command line talks to, and how to pick another. */
function severalLocalStacks(chosen: FoundLocalStack, others: FoundLocalStack[]): string {
  const stack = ({ info, file }: FoundLocalStack) =>
    `pid ${info.pid} at ${info.api_url} (${info.project_dir ? `in ${info.project_dir}, ` : ''}started ${info.started_at}; ${file})`;
  return [
    `${others.length + 1} local stacks are running; using this project's, else the one started last: ${stack(chosen)}`,
    ...others.map((other) => `  also running: ${stack(other)}`),
    'For another one, set COMFY_EXEC_LOCAL_STACK_FILE to its file, or give --api-url and --api-key (its api_url and api_key are in that file).',
  ].join('\n');
}
