import * as z from 'zod/mini';

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

export const GitPack = z.strictObject({
  git: z
    .string()
    .check(z.regex(/^(https:\/\/|ssh:\/\/|git@|file:\/\/)\S+$/, 'must be an https, ssh or file:// git URL')),
  commit: COMMIT,
});
export const RegistryPack = z.strictObject({
  registry: z.string().check(z.regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'must be a Comfy registry node id')),
  version: z.string().check(z.regex(SEMVER, 'must be an exact version (x.y.z), not a range')),
});

const Model = z.strictObject({
  folder: z
    .string()
    .check(z.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, "must be one of ComfyUI's model folder names")),
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  source: z
    .string()
    .check(
      z.regex(
        /^(https:\/\/\S+|s3:\/\/[a-z0-9.-]+\/\S+|library:\S+)$/,
        'must be an https:// or s3:// URL, or library:FOLDER/NAME',
      ),
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
      z
        .string()
        .check(z.minLength(1), z.maxLength(500), z.regex(/^[^\n\r]+$/, 'must be one requirement line')),
    ),
    [],
  ),
  models: z._default(z.array(Model), []),
  endpoint: z._default(Endpoint, {}),
});

export type EnvironmentFile = z.infer<typeof EnvironmentFileSchema>;
