import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatorFiles } from '../../local/comfyui-simulator/simulator-files';

const root = mkdtempSync(join(tmpdir(), 'sim-annotated-'));
const files = new SimulatorFiles(root);
mkdirSync(join(root, 'output', 'private'), { recursive: true });
writeFileSync(join(root, 'output', 'private', 'a.png'), 'A');
writeFileSync(join(root, 'temp', 't.png'), 'T');
writeFileSync(join(root, 'input', 'mine.png'), 'M');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * The simulator reads a loader's value as ComfyUI's folder_paths.get_annotated_filepath does
 * (annotated_filepath: `endswith("[output]")`, then `name[:-9]`; os.path.join, never confined),
 * so that end-to-end tests prove what the control plane must refuse.
 */
describe('SimulatorFiles.annotatedPath reads as ComfyUI does', () => {
  it.each([
    ['mine.png', 'input/mine.png'],
    ['mine.png [input]', 'input/mine.png'],
    ['private/a.png [output]', 'output/private/a.png'],
    ['private/a.png_[output]', 'output/private/a.png'],
    ['t.png [temp]', 'temp/t.png'],
    ['../output/private/a.png', 'output/private/a.png'],
    ['../output/private/a.png [input]', 'output/private/a.png'],
    [join(root, 'output', 'private', 'a.png'), 'output/private/a.png'],
  ])('%s → %s', (value, found) => {
    expect(files.annotatedPath(value)).toBe(join(root, found));
  });

  it('finds nothing for a missing file or a folder', () => {
    expect(files.annotatedPath('private/a.png[output]')).toBeUndefined(); // ComfyUI reads "private/a.pn"
    expect(files.annotatedPath('private [output]')).toBeUndefined();
    expect(files.annotatedPath(' [output]')).toBeUndefined();
  });
});
