import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type EnvironmentFile,
  EnvironmentFileError,
  environmentNameProblem,
  parseEnvironmentFile,
} from '../../client/src/environment-file';
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
  const nameProblem = environmentNameProblem(name);
  if (nameProblem) throw new ContextError(`${where}: ${nameProblem}`);
  try {
    return { name, ...parseEnvironmentFile(readFileSync(join(dir, file), 'utf8'), where) };
  } catch (error) {
    if (error instanceof EnvironmentFileError) throw new ContextError(error.message);
    throw error;
  }
}
