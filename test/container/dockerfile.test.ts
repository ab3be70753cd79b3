import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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

  it('bundles the adapter the way the Dockerfile does', () => {
    // The RUN line is shell: run it through bash as the image build would, output redirected.
    const command = /RUN (npx esbuild [\s\S]*?--outfile=)\S+/.exec(dockerfile)![1]!.replace(/\\\n\s*/g, ' ');
    const out = mkdtempSync(join(tmpdir(), 'adapter-bundle-'));
    try {
      const bundle = join(out, 'endpoint-adapter.mjs');
      execFileSync('bash', ['-c', `${command}${bundle}`], { cwd: ROOT, stdio: 'pipe' });
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
});
