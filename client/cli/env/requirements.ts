import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { InstallError } from './install-error';
import { REQUIREMENTS_CHECK_PY } from './python-scripts';
import type { RequirementLine } from './requirement-lines';
import { lastLines, runCommand } from './run-command';

const CheckAnswer = z.object({
  lines: z.array(
    z.object({
      status: z.enum(['satisfied', 'missing', 'skipped', 'guarded', 'invalid']),
      installed: z.optional(z.nullable(z.string())),
      name: z.optional(z.string()),
      reason: z.optional(z.string()),
    }),
  ),
  guarded: z.record(z.string(), z.nullable(z.string())),
  python: z.string(),
});

export interface PipOutcome {
  /** The lines pip was asked to install (none: pip was not run). */
  installed: RequirementLine[];
  satisfied: number;
}

/**
 * Asks the interpreter which lines it already satisfies, refuses any that would install or
 * replace the base image's torch, torchvision or torchaudio (naming the pack and the line), and
 * installs the rest with pip, holding those three at their installed versions so no package
 * pulls in another torch. Nothing missing: pip is not run at all (no network needed).
 */
export async function installRequirements(
  lines: RequirementLine[],
  python: string,
  comfyui: string,
  echo: (chunk: string) => void,
): Promise<PipOutcome> {
  const requirements = lines.filter((line) => !line.option);
  if (requirements.length === 0) return { installed: [], satisfied: 0 };
  const check = await checkRequirements(requirements, python, comfyui);
  const refused = requirements.flatMap((line, index) => {
    const answer = check.lines[index]!;
    if (answer.status === 'guarded')
      return [
        `${line.from}: '${line.line}' would ${answer.installed ? `replace the base image's ${answer.name} ${answer.installed}` : `install ${answer.name}, which the base image provides`}`,
      ];
    if (answer.status === 'invalid' && !/:\/\/|^[./]/.test(line.line))
      return [`${line.from}: '${line.line}' is not a requirement pip reads: ${answer.reason}`];
    return [];
  });
  if (refused.length > 0)
    throw new InstallError(
      'the environment asks for packages the image must not change (torch, torchvision and torchaudio are the base image’s): drop the line from pip, or pin a commit of the pack that does not ask for it:',
      refused,
    );
  const missing = requirements.filter((_, index) =>
    ['missing', 'invalid'].includes(check.lines[index]!.status),
  );
  const satisfied = check.lines.filter((answer) => answer.status === 'satisfied').length;
  if (missing.length === 0) return { installed: [], satisfied };
  const options = lines.filter((line) => line.option);
  const requirementsFile = join(comfyui, '.comfy-exec-requirements.txt');
  const constraintsFile = join(comfyui, '.comfy-exec-constraints.txt');
  await writeFile(requirementsFile, [...options, ...missing].map((line) => `${line.line}\n`).join(''));
  await writeFile(
    constraintsFile,
    Object.entries(check.guarded)
      .filter(([, version]) => version !== null)
      .map(([name, version]) => `${name}==${version}\n`)
      .join(''),
  );
  try {
    const pip = await runCommand(
      python,
      ['-m', 'pip', 'install', '--no-cache-dir', '-r', requirementsFile, '-c', constraintsFile],
      { cwd: comfyui, echo },
    );
    if (pip.code !== 0)
      throw new InstallError(
        `pip could not install: ${missing.map((line) => `'${line.line}' (${line.from})`).join(', ')}`,
        lastLines(pip.output),
      );
  } finally {
    await rm(requirementsFile, { force: true });
    await rm(constraintsFile, { force: true });
  }
  return { installed: missing, satisfied };
}

async function checkRequirements(requirements: RequirementLine[], python: string, comfyui: string) {
  const script = join(comfyui, '.comfy-exec-requirements-check.py');
  const input = join(comfyui, '.comfy-exec-requirements-check.in.json');
  const output = join(comfyui, '.comfy-exec-requirements-check.out.json');
  await writeFile(script, REQUIREMENTS_CHECK_PY);
  await writeFile(input, JSON.stringify(requirements.map(({ line }) => ({ line }))));
  try {
    const run = await runCommand(python, [script, input, output], { cwd: comfyui });
    const text = run.code === 0 ? await readFile(output, 'utf8').catch(() => undefined) : undefined;
    const parsed = text === undefined ? undefined : z.safeParse(CheckAnswer, JSON.parse(text));
    if (!parsed?.success)
      throw new InstallError(`${python} could not check the requirements`, lastLines(run.output));
    return parsed.data;
  } finally {
    await Promise.all([script, input, output].map((file) => rm(file, { force: true })));
  }
}
