import * as z from 'zod/mini';
import { CREDENTIALS_IN_URL } from './url-credentials';

/**
 * One environment as code (issue 28): `environments/{name}.json`, a ComfyUI with pinned custom
 * node packs, their Python packages and models, on an endpoint of its own. Every entry is pinned:
 * an environment builds the same image whenever it is built.
 */

/** ESD's workflow name rule: its endpoint is `comfy-async-{name}`. */
export const ENVIRONMENT_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
export const MAX_ENVIRONMENT_NAME_LENGTH = 20;

const COMMIT = z.string().check(z.regex(/^[0-9a-f]{40}$/, 'must be a 40-hex commit'));
/** SemVer 2.0.0 (semver.org's own pattern, without build metadata ranges): an exact version, never a range. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

const NO_CREDENTIALS =
  'must not carry a password or token (the file is committed, and GET /workflows shows it to every API key): use a git credential helper or an SSH key for private repositories, pip.conf for a private index, and for a gated model its plain URL here, the host\'s token in Secrets Manager, and comfy-exec env import-models (README, "Models from a URL")';

export const GitPack = z.strictObject({
  git: z.string().check(
    z.regex(/^(https:\/\/|ssh:\/\/|git@|file:\/\/)\S+$/, 'must be an https, ssh or file:// git URL'),
    z.refine((url) => !CREDENTIALS_IN_URL.test(url), NO_CREDENTIALS),
  ),
  commit: COMMIT,
});
export const RegistryPack = z.strictObject({
  // Registry ids keep the case their publisher gave them (`ComfyUI-segment-anything-2`).
  registry: z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be a Comfy registry node id')),
  version: z.string().check(z.regex(SEMVER, 'must be an exact version (x.y.z), not a range')),
});

const Model = z.strictObject({
  folder: z
    .string()
    .check(z.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, "must be one of ComfyUI's model folder names")),
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  source: z.string().check(
    z.regex(
      // http:// only on this machine, for a local stack's own file server (a deployed instance refuses it).
      /^(https:\/\/\S+|http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/\S*|s3:\/\/[a-z0-9.-]+\/\S+|library:\S+)$/,
      'must be an https:// or s3:// URL, or library:FOLDER/NAME',
    ),
    z.refine((url) => !CREDENTIALS_IN_URL.test(url), NO_CREDENTIALS),
  ),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be the file’s sha256, 64 hex digits')),
});

const Schedule = z.strictObject({
  /** Application Auto Scaling's cron: `cron(minutes hours day-of-month month day-of-week year)`. */
  cron: z
    .string()
    .check(z.regex(/^cron\((\S+ ){5}\S+\)$/, 'must be cron(minutes hours day month weekday year)')),
  timezone: z.optional(
    z.string().check(z.regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, 'must be an IANA time zone')),
  ),
  min_instances: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
  max_instances: z.optional(z.int().check(z.minimum(1), z.maximum(100))),
});

const Endpoint = z.strictObject({
  instance_type: z.optional(
    z.string().check(z.regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'must be a SageMaker instance type')),
  ),
  min_instances: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
  max_instances: z.optional(z.int().check(z.minimum(1), z.maximum(100))),
  concurrency: z.optional(z.int().check(z.minimum(1), z.maximum(1000))),
  schedules: z.optional(z.array(Schedule).check(z.maxLength(20))),
});

export const EnvironmentFileSchema = z.strictObject({
  $schema: z.optional(z.string()),
  /** The deployment's default endpoint (requests that name none): at most one file says so; else the first by name. */
  default: z.optional(z.boolean()),
  comfyui: z.optional(
    z
      .string()
      .check(
        z.regex(/^(v\d+\.\d+\.\d+|[0-9a-f]{40})$/, 'must be a ComfyUI tag (v0.3.64) or a 40-hex commit'),
      ),
  ),
  custom_nodes: z._default(z.array(z.union([GitPack, RegistryPack])), []),
  pip: z._default(
    z.array(
      z.string().check(
        z.minLength(1),
        z.maxLength(500),
        z.regex(/^[^\n\r]+$/, 'must be one requirement line'),
        z.refine((line) => !CREDENTIALS_IN_URL.test(line), NO_CREDENTIALS),
      ),
    ),
    [],
  ),
  models: z._default(z.array(Model), []),
  endpoint: z._default(Endpoint, {}),
});

export type EnvironmentFile = z.infer<typeof EnvironmentFileSchema>;
export type GitPackEntry = z.infer<typeof GitPack>;
export type RegistryPackEntry = z.infer<typeof RegistryPack>;

/** A problem in an environment file: one line, `{where}: {field}: {problem}`. */
export class EnvironmentFileError extends Error {
  override name = 'EnvironmentFileError';
}

/** The name an environment file gives its environment: the file's name without `.json`. */
export function environmentNameProblem(name: string): string | undefined {
  if (ENVIRONMENT_NAME.test(name) && name.length <= MAX_ENVIRONMENT_NAME_LENGTH) return undefined;
  return `the name '${name}' must start with a letter, hold only letters and digits, and be at most ${MAX_ENVIRONMENT_NAME_LENGTH} characters (its endpoint is comfy-async-{name})`;
}

/**
 * An environment file's text, checked as both `cdk synth` and `comfy-exec env install` read it:
 * the first problem throws one line naming `where` (the file) and the field.
 */
export function parseEnvironmentFile(text: string, where: string): EnvironmentFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EnvironmentFileError(`${where}: not JSON: ${(error as Error).message}`);
  }
  const parsed = z.safeParse(EnvironmentFileSchema, json);
  if (!parsed.success)
    throw new EnvironmentFileError(`${where}: ${problemOf(parsed.error.issues[0]!, json)}`);
  const { min_instances: min, max_instances: max } = parsed.data.endpoint;
  if (min !== undefined && max !== undefined && min > max)
    throw new EnvironmentFileError(
      `${where}: endpoint.min_instances (${min}) is more than endpoint.max_instances (${max})`,
    );
  for (const [index, schedule] of (parsed.data.endpoint.schedules ?? []).entries())
    if (schedule.min_instances === undefined && schedule.max_instances === undefined)
      throw new EnvironmentFileError(
        `${where}: endpoint.schedules.${index}: sets neither min_instances nor max_instances`,
      );
  return parsed.data;
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
