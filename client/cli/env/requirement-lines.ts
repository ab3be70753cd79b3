import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { InstallError } from './install-error';

/** One line of what a pack (or the environment's `pip`) asks pip for. */
export interface RequirementLine {
  /** The pack that asks, or `environment pip`. */
  from: string;
  line: string;
  /** An option line (`--extra-index-url …`, `-e …`): passed to pip as it is, never checked. */
  option: boolean;
}

export const ENVIRONMENT_PIP = 'environment pip';

/**
 * The lines of a requirements file as pip reads them: `\`-continued lines joined, comments
 * (`#` at the start or after a space) dropped, `-r`/`--requirement` files read in place
 * (relative to the file naming them), other `-` lines kept as options.
 */
export function requirementLines(text: string, from: string, file?: string, seen = new Set<string>()) {
  if (file) seen.add(file);
  const lines: RequirementLine[] = [];
  const joined = text.replace(/\\\r?\n/g, '');
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const nested = /^(-r|--requirement)(\s+|=)(.+)$/.exec(line);
    if (nested) {
      if (!file)
        throw new InstallError(
          `${from}: '${line}' names a file, which only a pack's requirements.txt may do`,
        );
      const path = isAbsolute(nested[3]!) ? nested[3]! : join(dirname(file), nested[3]!);
      if (seen.has(path)) continue;
      if (!existsSync(path)) throw new InstallError(`${from}: '${line}' names ${path}, which is not there`);
      lines.push(...requirementLines(readFileSync(path, 'utf8'), from, path, seen));
      continue;
    }
    lines.push({ from, line, option: line.startsWith('-') });
  }
  return lines;
}

/** Every line the environment asks pip for: each pack's requirements.txt, then the file's `pip`. */
export function environmentRequirements(packs: { name: string; folder: string }[], pip: string[]) {
  const lines: RequirementLine[] = [];
  for (const pack of packs) {
    const file = join(pack.folder, 'requirements.txt');
    if (existsSync(file)) lines.push(...requirementLines(readFileSync(file, 'utf8'), pack.name, file));
  }
  for (const line of pip) lines.push(...requirementLines(line, ENVIRONMENT_PIP));
  return lines;
}
