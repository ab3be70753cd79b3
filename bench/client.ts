import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { quantile } from './stats';

const ROOT = join(import.meta.dirname, '..');

/** Median wall time of a fresh `node` running these arguments. */
function medianRunMs(args: string[], runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return Number(quantile(samples, 0.5).toFixed(1));
}

/**
 * The client library as a browser (the web console) loads it, minified, and how long the command
 * line takes to start (`comfy-exec --help`, over a `node -e ''` floor).
 */
export function benchClient(runs: number) {
  spawnSync(process.execPath, ['build.mjs'], { cwd: join(ROOT, 'client'), stdio: 'inherit' });
  // Split as the console's bundler would: exifreader and file-type are imported on first need.
  const built = buildSync({
    entryPoints: [join(ROOT, 'client/src/index.ts')],
    bundle: true,
    minify: true,
    splitting: true,
    platform: 'browser',
    format: 'esm',
    outdir: join(ROOT, 'node_modules/.cache/client-bench'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = built.metafile.outputs;
  const entry = Object.keys(outputs).find((path) => outputs[path]!.entryPoint)!;
  const loaded = [
    entry,
    ...outputs[entry]!.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path),
  ];
  const bytesOf = (paths: string[]) =>
    built.outputFiles
      .filter((file) => paths.some((path) => file.path.endsWith(path)))
      .map((file) => file.contents);
  const core = Buffer.concat(bytesOf(loaded));
  const all = built.outputFiles.reduce((sum, file) => sum + file.contents.byteLength, 0);
  const floorMs = medianRunMs(['-e', ''], runs);
  const helpMs = medianRunMs([join(ROOT, 'client/bin/comfy-exec.js'), '--help'], runs);
  return {
    /** What a page loads with the client (minified), and gzipped. */
    browserCoreKB: Math.round(core.byteLength / 1024),
    browserCoreGzipKB: Math.round(gzipSync(core).byteLength / 1024),
    /** With the chunks loaded on first need (reading a saved PNG/WEBP, sniffing a file's type). */
    browserAllKB: Math.round(all / 1024),
    cliStartMs: helpMs,
    nodeFloorMs: floorMs,
    cliOverFloorMs: Number((helpMs - floorMs).toFixed(1)),
  };
}
