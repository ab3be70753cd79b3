import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ContainerEnvSchema } from './src/config';

/**
 * The endpoint image started as SageMaker starts it (`docker run <image> serve`), on a machine with
 * no Docker engine: the Dockerfile's own ENTRYPOINT, CMD, ENV and esbuild line are read from it, so
 * the rehearsal follows the Dockerfile instead of repeating it. Only the paths differ: ComfyUI is a
 * checkout, Python an interpreter that can run it, the adapter a bundle built here
 * (entrypoint.sh takes COMFYUI_DIR, COMFYUI_PYTHON and ADAPTER_COMMAND, the image's values by default).
 */

const ROOT = join(import.meta.dirname, '..');

export interface ImageSpec {
  /** The final stage's ENV. */
  env: Record<string, string>;
  /** ENTRYPOINT followed by CMD, as `docker run <image>` runs them. */
  command: string[];
  /** The esbuild RUN line up to its `--outfile=`. */
  bundleCommand: string;
  /** Image path → file in the build context, from the COPY lines that copy from the context. */
  copies: Record<string, string>;
}

const lines = (dockerfile: string) => dockerfile.replace(/\\\n\s*/g, ' ').split('\n');

export function readImageSpec(dockerfile: string): ImageSpec {
  const all = lines(dockerfile);
  // What runs is the final stage: its ENV, COPY, ENTRYPOINT and CMD.
  const joined = all.slice(all.findLastIndex((line) => line.startsWith('FROM ')));
  const last = (instruction: string) => joined.filter((line) => line.startsWith(`${instruction} `)).at(-1);
  const env: Record<string, string> = {};
  for (const line of joined.filter((l) => l.startsWith('ENV ')))
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const [key, value] = pair.split(/=(.*)/s);
      if (!key || value === undefined || /["']/.test(value)) throw new Error(`ENV not understood: ${pair}`);
      env[key] = value;
    }
  const json = (instruction: string) => JSON.parse(last(instruction)?.slice(instruction.length) ?? '[]');
  const copies: Record<string, string> = {};
  for (const line of joined.filter((l) => l.startsWith('COPY ') && !l.includes('--from='))) {
    const words = line.split(/\s+/).filter((word) => !word.startsWith('--'));
    if (words.length === 3) copies[words[2]!] = join(ROOT, words[1]!);
  }
  const bundle = /RUN (npx esbuild .*?--outfile=)\S+/.exec(all.join('\n'));
  if (!bundle) throw new Error('the Dockerfile has no esbuild RUN line');
  return { env, command: [...json('ENTRYPOINT'), ...json('CMD')], bundleCommand: bundle[1]!, copies };
}

/** Builds the adapter exactly as the Dockerfile's adapter stage does; returns the bundle's path. */
export function buildAdapterBundle(spec: ImageSpec, outDir: string): string {
  const bundle = join(outDir, 'endpoint-adapter.mjs');
  execFileSync('bash', ['-c', `${spec.bundleCommand}${bundle}`], { cwd: ROOT, stdio: 'pipe' });
  return bundle;
}

/** Every process below `root` (inclusive), from `ps` (Linux and macOS). */
export function processTree(root: number): { pid: number; ppid: number; args: string }[] {
  const all = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), args: match[3]! }));
  const tree = all.filter((p) => p.pid === root);
  for (let i = 0; i < tree.length; i++) tree.push(...all.filter((p) => p.ppid === tree[i]!.pid));
  return tree;
}

/** The deepest process below `root` whose command line contains `marker` (wrappers such as bwrap also do). */
export function findProcess(root: number, marker: string): number | undefined {
  const tree = processTree(root).filter((p) => p.args.includes(marker));
  return tree.find((p) => !tree.some((child) => child.ppid === p.pid))?.pid;
}

export interface RunningImage {
  pid: number;
  /** Where SageMaker would call the container (the Dockerfile's PORT). */
  url: string;
  comfyuiUrl: string;
  logFile: string;
  /** Markers that find ComfyUI's and the adapter's processes with findProcess. */
  markers: { comfyui: string; adapter: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** As `docker stop`: SIGTERM to the top process, SIGKILL to all of them `graceMs` later. */
  stop(graceMs?: number): Promise<void>;
}

// What the container reads from its environment: never inherited from the caller's shell.
const CONTAINER_KEYS = new Set([
  ...Object.keys(ContainerEnvSchema.shape),
  'COMFYUI_PORT',
  'COMFYUI_ARGS',
  'COMFYUI_DIR',
  'COMFYUI_PYTHON',
  'ADAPTER_COMMAND',
  'COMFYUI_USER',
  'ADAPTER_USER',
  'NODE_ENV',
]);

export async function startImageOutsideDocker(options: {
  /** A ComfyUI checkout (the image's /opt/ComfyUI). */
  comfyuiDir: string;
  /** An interpreter that runs it (the image's `python`). */
  python: string;
  /** ComfyUI flags this machine needs (the image's COMFYUI_ARGS), e.g. `--cpu` without a GPU. */
  comfyuiArgs: string;
  /** What the SageMaker model sets (TABLE_NAME, ...) and where the local AWS parts are. */
  env: Record<string, string>;
  onLine?(line: string): void;
}): Promise<RunningImage> {
  const spec = readImageSpec(readFileSync(join(ROOT, 'container/Dockerfile'), 'utf8'));
  const work = mkdtempSync(join(tmpdir(), 'comfy-exec-image-'));
  const bundle = buildAdapterBundle(spec, work);
  const modelCache = join(work, 'model-cache');
  mkdirSync(modelCache);
  // tini only forwards signals and reaps zombies: used when installed, else the entrypoint is on top.
  const hasTini = (() => {
    try {
      execFileSync('sh', ['-c', 'command -v tini'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  const command = spec.command
    .map((word) => (word.endsWith('/tini') ? (hasTini ? 'tini' : '') : (spec.copies[word] ?? word)))
    .filter((word) => word !== '' && !(word === '--' && !hasTini));
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !CONTAINER_KEYS.has(key) && !key.startsWith('AWS_')),
  );
  const yaml = Object.entries(spec.copies).find(([to]) => to.endsWith('/extra_model_paths.yaml'))?.[1];
  const env: Record<string, string | undefined> = {
    ...inherited,
    ...spec.env,
    ...options.env,
    COMFYUI_DIR: options.comfyuiDir,
    COMFYUI_PYTHON: options.python,
    ADAPTER_COMMAND: `node ${bundle}`,
    // The image copies extra_model_paths.yaml into ComfyUI's folder, where ComfyUI finds it by
    // itself; a checkout is not written to, so the same file is named on the command line.
    COMFYUI_ARGS: `${options.comfyuiArgs}${yaml ? ` --extra-model-paths-config ${yaml}` : ''}`,
    COMFYUI_INPUT_DIR: join(options.comfyuiDir, 'input'),
    COMFYUI_OUTPUT_DIR: join(options.comfyuiDir, 'output'),
    COMFYUI_TEMP_DIR: join(options.comfyuiDir, 'temp'),
    // The image's users (comfyui, comfy-exec) do not exist on this machine: run both processes as
    // the caller, explicitly (as root, entrypoint.sh refuses a missing user; not root, it switches nothing).
    COMFYUI_USER: '',
    ADAPTER_USER: '',
    MODEL_CACHE_DIR: modelCache,
    // Not PID 1 here: as a subreaper tini still adopts and reaps orphans, as it does in the container.
    ...(hasTini ? { TINI_SUBREAPER: '1' } : {}),
  };
  const logFile = join(work, 'container.log');
  const log = createWriteStream(logFile);
  // Own process group: the rehearsal can end everything it started, and only that.
  const child = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      options.onLine?.(line);
    });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const pid = child.pid!;
  return {
    pid,
    url: `http://127.0.0.1:${env.PORT ?? 8080}`,
    comfyuiUrl: env.COMFYUI_URL ?? 'http://127.0.0.1:8188',
    logFile,
    markers: { comfyui: join(options.comfyuiDir, 'main.py'), adapter: bundle },
    exited,
    stop: async (graceMs = 30_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return void log.end();
      child.kill('SIGTERM');
      const timer = setTimeout(() => process.kill(-pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      try {
        process.kill(-pid, 'SIGKILL'); // whatever the entrypoint left behind (a container's cgroup goes too)
      } catch {
        // the group is gone already
      }
      log.end();
    },
  };
}
