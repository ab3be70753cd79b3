import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContainerEnvSchema } from '../../container/src/config';

const ROOT = join(import.meta.dirname, '../..');
const dockerfile = readFileSync(join(ROOT, 'container/Dockerfile'), 'utf8');
const entrypoint = readFileSync(join(ROOT, 'container/entrypoint.sh'), 'utf8');
const defaults = ContainerEnvSchema.parse({ TABLE_NAME: 't', BUCKET_NAME: 'b' });

describe('the endpoint image agrees with the adapter', () => {
  it("exposes and sets the adapter's port (SageMaker's 8080)", () => {
    expect(defaults.PORT).toBe(8080);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${defaults.PORT}$`, 'm'));
    expect(dockerfile).toMatch(new RegExp(`PORT=${defaults.PORT}\\b`));
  });

  it('starts ComfyUI on loopback where the adapter looks for it', () => {
    const comfy = new URL(defaults.COMFYUI_URL);
    expect(comfy.hostname).toBe('127.0.0.1');
    expect(dockerfile).toContain(`COMFYUI_URL=${defaults.COMFYUI_URL.replace(/\/$/, '')}`);
    expect(dockerfile).toContain(`COMFYUI_PORT=${comfy.port}`);
    expect(entrypoint).toContain(`--listen 127.0.0.1 --port "\${COMFYUI_PORT:-${comfy.port}}"`);
  });

  it('runs the entrypoint for `serve`, supervising both processes', () => {
    expect(dockerfile).toMatch(
      /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "\/opt\/comfy-exec\/entrypoint\.sh"\]$/m,
    );
    expect(dockerfile).toMatch(/^CMD \["serve"\]$/m);
    expect(dockerfile).toContain('COPY --chmod=755 container/entrypoint.sh /opt/comfy-exec/entrypoint.sh');
    expect(statSync(join(ROOT, 'container/entrypoint.sh')).mode & 0o111).not.toBe(0);
    expect(entrypoint).toContain('node /opt/comfy-exec/endpoint-adapter.mjs');
    expect(entrypoint).toContain('wait -n "$comfyui" "$adapter"');
    execFileSync('bash', ['-n', join(ROOT, 'container/entrypoint.sh')]);
  });

  it('pins the ComfyUI release and Node 22', () => {
    expect(dockerfile).toMatch(/^ARG COMFYUI_VERSION=v\d+\.\d+\.\d+$/m);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-/m);
  });

  /**
   * The build stage's context, as Docker has it: each COPY's sources (which .dockerignore must
   * keep), and the packages `npm ci` installed. A source file outside them fails a bundle here,
   * as in Docker.
   */
  function adapterStageContext(out: string): string {
    const context = join(out, 'context');
    const stage = dockerfile.slice(
      dockerfile.indexOf(' AS adapter'),
      dockerfile.indexOf('FROM', dockerfile.indexOf(' AS adapter')),
    );
    const kept = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('!'));
    for (const [, args] of stage.matchAll(/^COPY (?!--from)(.+)$/gm)) {
      const parts = args!.trim().split(/\s+/);
      const destination = parts.pop()!;
      for (const source of parts) {
        expect(
          kept.some((line) => source === line.slice(1).replace(/\/$/, '')),
          `.dockerignore keeps ${source}`,
        ).toBe(true);
        const target = destination.endsWith('/')
          ? join(context, destination, source.split('/').pop()!)
          : join(context, destination);
        cpSync(join(ROOT, source), target, { recursive: true });
      }
    }
    symlinkSync(join(ROOT, 'node_modules'), join(context, 'node_modules'));
    // npm ci nests the client workspace's own versions (commander 14) under it, as here.
    symlinkSync(join(ROOT, 'client/node_modules'), join(context, 'client/node_modules'));
    return context;
  }

  /** The build stage's esbuild RUN lines (shell: run through bash as the build would), by entry point. */
  const bundleCommand = (entry: string) => {
    const command = [...dockerfile.matchAll(/RUN (npx esbuild [\s\S]*?--outfile=)\S+/g)]
      .map((match) => match[1]!.replace(/\\\n\s*/g, ' '))
      .find((line) => line.startsWith(`npx esbuild ${entry} `));
    expect(command, `a RUN line bundles ${entry}`).toBeDefined();
    return command!;
  };

  it('bundles the adapter the way the Dockerfile does, from only what its build stage copies', () => {
    const out = mkdtempSync(join(tmpdir(), 'adapter-bundle-'));
    try {
      const context = adapterStageContext(out);
      const bundle = join(out, 'endpoint-adapter.mjs');
      execFileSync('bash', ['-c', `${bundleCommand('container/src/main.ts')}${bundle}`], {
        cwd: context,
        stdio: 'pipe',
      });
      expect(statSync(bundle).size).toBeGreaterThan(100_000);
      expect(readFileSync(bundle, 'utf8')).toContain('createRequire(import.meta.url)');
      // The bundle starts by itself, as `node /opt/comfy-exec/endpoint-adapter.mjs` in the image.
      const started = spawnSync(process.execPath, [bundle], {
        env: {
          PATH: process.env.PATH,
          TABLE_NAME: 't',
          BUCKET_NAME: 'b',
          PORT: '0',
          COMFYUI_URL: 'http://127.0.0.1:9',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        timeout: 3000,
        encoding: 'utf8',
      });
      expect(started.stdout).toContain('endpoint container listening');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('bundles the command line the image builds an environment with, and runs `env install` from it', () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-bundle-'));
    try {
      const context = adapterStageContext(out);
      const bundle = join(out, 'comfy-exec.mjs');
      execFileSync('bash', ['-c', `${bundleCommand('client/cli/main.ts')}${bundle}`], {
        cwd: context,
        stdio: 'pipe',
      });
      expect(dockerfile).toContain(
        'COPY --from=adapter /build/dist/comfy-exec.mjs /opt/comfy-exec/comfy-exec.mjs',
      );
      const help = spawnSync(process.execPath, [bundle, 'env', 'install', '--help'], { encoding: 'utf8' });
      expect(help.stdout, help.stderr).toContain('--comfyui <dir>');
      // The RUN line that uses it: the environment named by the build argument, ComfyUI's own folder and Python.
      const install = /RUN if \[ -n "\$\{ENVIRONMENT\}" \]; then([\s\S]*?)fi/
        .exec(dockerfile)?.[1]
        ?.replace(/\\\n/g, ' ')
        .replace(/\s+/g, ' ');
      expect(install).toContain(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's expansion of the build argument
        'node /opt/comfy-exec/comfy-exec.mjs env install "/opt/comfy-exec/environments/${ENVIRONMENT}.json" --comfyui /opt/ComfyUI --python python;',
      );
      expect(dockerfile).toMatch(/^ARG ENVIRONMENT=$/m);
      // The container reads the same file to fetch its models before it reports healthy.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's own expansion
      expect(dockerfile).toContain('COMFY_EXEC_ENVIRONMENT=${ENVIRONMENT}');
      expect(defaults.ENVIRONMENTS_DIR).toBe('/opt/comfy-exec/environments');
      expect(dockerfile).toContain('COPY environments /opt/comfy-exec/environments');
      expect(readFileSync(join(ROOT, '.dockerignore'), 'utf8')).toMatch(/^!environments\/$/m);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("installs the build stage's packages as a fresh `npm ci` can: the client's own first, no root scripts", () => {
    // Checked by hand (docs/reliability.md): with the workspaces' folders absent, the root's
    // `prepare` fails ("No workspaces found"), and without client/package.json npm ci leaves out
    // the command line's own dependencies (fflate, zod, commander 14).
    const copyClient = dockerfile.indexOf('COPY client/package.json ./client/package.json');
    const npmCi = dockerfile.indexOf('RUN npm ci --no-audit --no-fund --ignore-scripts');
    expect(copyClient).toBeGreaterThan(0);
    expect(npmCi).toBeGreaterThan(copyClient);
  });

  it("tells the adapter where ComfyUI's input, output and temp folders are in the image", () => {
    for (const [key, value] of [
      ['COMFYUI_INPUT_DIR', defaults.COMFYUI_INPUT_DIR],
      ['COMFYUI_OUTPUT_DIR', defaults.COMFYUI_OUTPUT_DIR],
      ['COMFYUI_TEMP_DIR', defaults.COMFYUI_TEMP_DIR],
    ] as const) {
      expect(value.startsWith('/opt/ComfyUI/')).toBe(true);
      expect(dockerfile).toContain(`${key}=${value}`);
    }
  });
});

describe('the endpoint image runs ComfyUI and the adapter as two unprivileged users', () => {
  const runs = dockerfile.replace(/\\\n\s*/g, ' ');
  const userLine = (name: string) =>
    new RegExp(`useradd [^&\\n]*--gid (\\S+) [^&\\n]*\\b${name}(?: |$)`, 'm');

  it('makes a comfyui and a comfy-exec user, comfy-exec in the comfyui group, and no USER line (the entrypoint switches)', () => {
    expect(runs).toMatch(/groupadd --system --gid \d+ comfyui /);
    expect(userLine('comfyui').exec(runs)?.[1]).toBe('comfyui');
    expect(userLine('comfy-exec').exec(runs)?.[1]).toBe('comfy-exec');
    expect(runs).toMatch(/useradd [^&\n]*--groups comfyui [^&\n]*comfy-exec/);
    expect(dockerfile).not.toMatch(/^USER /m);
    expect(entrypoint).toContain(`COMFYUI_USER=\${COMFYUI_USER-comfyui}`);
    expect(entrypoint).toContain(`ADAPTER_USER=\${ADAPTER_USER-comfy-exec}`);
  });

  it("gives ComfyUI only its own folders, the adapter the model cache, and neither the adapter's files", () => {
    const folders = ['output', 'temp', 'input', 'user'].map((name) => `/opt/ComfyUI/${name}`).join(' ');
    expect(runs).toContain(`chown -R comfyui:comfyui ${folders}`);
    expect(runs).toContain(`chmod 2775 ${folders}`);
    expect(runs).toContain(`chown comfy-exec:comfyui ${defaults.MODEL_CACHE_DIR}`);
    expect(runs).toContain(`chmod 2755 ${defaults.MODEL_CACHE_DIR}`);
    // Nothing else changes owner: ComfyUI's code and /opt/comfy-exec stay root's (COPY's default).
    expect(runs.match(/chown [^&]*/g)).toHaveLength(2);
    expect(dockerfile).not.toMatch(/COPY --chown/);
    expect(dockerfile).not.toMatch(/chmod [^\n]*\/opt\/comfy-exec/);
    expect(entrypoint).toContain('&& run_as "$COMFYUI_USER" "$COMFYUI_PYTHON" "$COMFYUI_DIR/main.py"');
    expect(entrypoint).toContain('(run_as "$ADAPTER_USER" $ADAPTER_COMMAND) &');
  });

  /** entrypoint.sh with stand-ins for ComfyUI and the adapter that say who they run as. */
  function runEntrypoint(env: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), 'entrypoint-users-'));
    try {
      chmodSync(dir, 0o777); // the stand-ins, run as another user, leave a mark in it
      writeFileSync(
        join(dir, 'main.py'),
        // A line a prompt could make ComfyUI print, shaped as the adapter's own JSON lines.
        `echo "comfyui: $(id -un) umask $(umask)"\necho '{"level":"ERROR","prompt_id":"p1"}' >&2\nprintf 'x%.0s' $(seq 7000); echo '{"prompt_id":"p1"}'\ntouch ${dir}/started\nexec sleep 10\n`,
      );
      writeFileSync(
        join(dir, 'adapter.sh'),
        `for i in $(seq 100); do [ -e ${dir}/started ] && break; sleep 0.05; done\necho "adapter: $(id -un) groups $(id -Gn)"\n`,
      );
      chmodSync(join(dir, 'main.py'), 0o755);
      chmodSync(join(dir, 'adapter.sh'), 0o755);
      const run = spawnSync(join(ROOT, 'container/entrypoint.sh'), ['serve'], {
        env: {
          PATH: process.env.PATH,
          COMFYUI_DIR: dir,
          COMFYUI_PYTHON: 'sh',
          ADAPTER_COMMAND: `sh ${dir}/adapter.sh`,
          ...env,
        },
        encoding: 'utf8',
        timeout: 20_000,
      });
      return { status: run.status, output: `${run.stdout}${run.stderr}` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const root = process.getuid?.() === 0;
  const hasSetpriv = spawnSync('sh', ['-c', 'command -v setpriv']).status === 0;

  it.runIf(root && hasSetpriv)('as root, starts each process as its user, ComfyUI with umask 0002', () => {
    // `nobody` stands in for the image's users (only a Docker build makes those).
    const { status, output } = runEntrypoint({ COMFYUI_USER: 'nobody', ADAPTER_USER: 'nobody' });
    expect(output).toContain('comfyui: nobody umask 0002');
    expect(output).toMatch(/adapter: nobody groups \S+/);
    expect(status).toBe(0);
  });

  it.runIf(root)(
    'as root, refuses to start when a user does not exist, rather than run as root unannounced',
    () => {
      const { status, output } = runEntrypoint({ COMFYUI_USER: 'no-such-user-25' });
      expect(status).toBe(1);
      expect(output).toContain("entrypoint: user 'no-such-user-25' does not exist");
      expect(output).not.toContain('comfyui:');
    },
  );

  it('runs a process as the caller only when told so (empty user) or when not root, and says so', () => {
    const { status, output } = runEntrypoint({ COMFYUI_USER: '', ADAPTER_USER: '' });
    const me = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
    expect(output).toContain(`[comfyui] comfyui: ${me}`);
    expect(output).toContain(`adapter: ${me}`);
    // ComfyUI's every line, stderr too, is prefixed: none can pass for the adapter's JSON lines.
    expect(output).toContain('[comfyui] {"level":"ERROR","prompt_id":"p1"}');
    expect(output.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
    // A long line comes in prefixed pieces of at most 3,000 characters: a pipeline splitting
    // long lines cannot make a piece that begins with the line's JSON tail.
    const pieces = output.split('\n').filter((line) => line.includes('xxx'));
    expect(pieces.map((line) => line.length)).toEqual([3010, 3010, 10 + 1000 + 18]);
    expect(pieces.every((line) => line.startsWith('[comfyui] '))).toBe(true);
    expect(output).toMatch(
      root ? /COMFYUI_USER is empty: ComfyUI runs as root/ : /not root \(uid \d+\): .* no user switch/,
    );
    expect(status).toBe(0);
  });
});
