import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import {
  ENVIRONMENT_NAME,
  type EnvironmentFile,
  EnvironmentFileSchema,
  GitPack,
  MAX_ENVIRONMENT_NAME_LENGTH,
  RegistryPack,
} from './environment-file';
import { ContextError } from './stage-config';

/** The JSON Schema beside the environment files, for editors (not an environment itself). */
export const ENVIRONMENT_SCHEMA_FILE = 'environment.schema.json';

export interface Environment extends EnvironmentFile {
  name: string;
}

/**
 * Every `environments/{name}.json`, checked as `cdk synth` reads them: the first problem stops
 * the synth with one line naming the file and the field. No folder, or no files: no
 * environments (today's single endpoint).
 */
export function loadEnvironments(dir: string): Environment[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.json') && file !== ENVIRONMENT_SCHEMA_FILE)
    .sort();
  return files.map((file) => loadEnvironment(dir, file));
}

function loadEnvironment(dir: string, file: string): Environment {
  const where = `environments/${file}`;
  const name = file.slice(0, -'.json'.length);
  if (!ENVIRONMENT_NAME.test(name) || name.length > MAX_ENVIRONMENT_NAME_LENGTH)
    throw new ContextError(
      `${where}: the name '${name}' must start with a letter, hold only letters and digits, and be at most ${MAX_ENVIRONMENT_NAME_LENGTH} characters (its endpoint is comfy-async-{name})`,
    );
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (error) {
    throw new ContextError(`${where}: not JSON: ${(error as Error).message}`);
  }
  const parsed = z.safeParse(EnvironmentFileSchema, json);
  if (!parsed.success) throw new ContextError(`${where}: ${problemOf(parsed.error.issues[0]!, json)}`);
  const { min_instances: min, max_instances: max } = parsed.data.endpoint;
  if (min !== undefined && max !== undefined && min > max)
    throw new ContextError(
      `${where}: endpoint.min_instances (${min}) is more than endpoint.max_instances (${max})`,
    );
  return { name, ...parsed.data };
}

type Issue = z.core.$ZodIssue;

/** `field: problem`; a custom node entry's own problem rather than the union's "Invalid input". */
function problemOf(issue: Issue, json: unknown): string {
  const path = issue.path.map(String);
  if (issue.code === 'invalid_union' && path[0] === 'custom_nodes' && path.length === 2) {
    const entry = (json as { custom_nodes: unknown[] }).custom_nodes[Number(path[1])];
    const kind =
      entry && typeof entry === 'object'
        ? 'registry' in entry
          ? RegistryPack
          : 'git' in entry
            ? GitPack
            : undefined
        : undefined;
    if (!kind)
      return `${path.join('.')}: must be {"git": URL, "commit": 40-hex} or {"registry": id, "version": x.y.z}`;
    const inner = z.safeParse(kind, entry);
    if (!inner.success) {
      const first = inner.error.issues[0]!;
      const unpinned =
        first.path.length === 1 &&
        (first.path[0] === 'commit' || first.path[0] === 'version') &&
        first.code === 'invalid_type';
      return `${[...path, ...first.path.map(String)].join('.')}: ${unpinned ? 'missing: every pack is pinned (an environment builds the same image every time)' : first.message}`;
    }
  }
  return `${path.length > 0 ? path.join('.') : '(the file)'}: ${issue.message}`;
}
