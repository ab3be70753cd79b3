import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import envPaths from 'env-paths';
import { localStackFile, readLocalStackFile } from '../src/node/local-stack-file';
import { UsageError } from './exit-codes';

export interface Connection {
  apiUrl: string;
  apiKey: string;
  /** Where the settings came from, for --verbose and error messages. */
  source: string;
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
  if (apiUrl || apiKey)
    throw new UsageError('set both the API URL and the API key (COMFY_EXEC_API_URL and COMFY_EXEC_API_KEY)');
  const named = flags.profile ?? env.COMFY_EXEC_PROFILE;
  const fromProfile = profile(named ?? 'default', configFile(env), named !== undefined);
  if (fromProfile) return fromProfile;
  const stackFile = localStackFile(env);
  const local = readLocalStackFile(stackFile);
  if (local) return { apiUrl: local.api_url, apiKey: local.api_key, source: `npm start (pid ${local.pid})` };
  throw new UsageError(
    `no API to talk to: set COMFY_EXEC_API_URL and COMFY_EXEC_API_KEY, use --profile, or run \`npm start\` in the project (no running one has left its file at ${stackFile})`,
  );
}
