import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreCatalog } from '../../../lambda/catalog/core-catalog';
import { uploadKind } from '../../../lambda/domain/inputs/file-inputs';
import { CORE_PATH_INPUTS, looksLikePath, serverPathInputs } from '../../../lambda/domain/inputs/path-inputs';
import type { NodeCatalog } from '../../../lambda/domain/workflow/node-catalog';
import { CORPUS_DIR } from '../../fixtures/prompts';

const json = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../lambda/catalog/core-object-info.json'), 'utf8'),
) as NodeCatalog;

const CORPUS_OBJECT_INFO = join(CORPUS_DIR, 'object_info');

/** Types no node outputs and no widget has: the frontend fills them in (WEBCAM, LOAD_3D, …). */
function frontendTypes(catalog: NodeCatalog): Set<string> {
  const produced = new Set(Object.values(catalog).flatMap((spec) => spec.output ?? []));
  const found = new Set<string>();
  for (const spec of Object.values(catalog))
    for (const input of Object.values({ ...spec.input?.required, ...spec.input?.optional })) {
      const type = Array.isArray(input) ? input[0] : undefined;
      if (typeof type !== 'string') continue;
      for (const each of type.split(','))
        if (
          !produced.has(each) &&
          !['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO', '*'].includes(each) &&
          !/^COMFY_.*_V3$/.test(each)
        )
          found.add(each);
    }
  return found;
}

/** `Class.input` of every input of the catalog that looks as if it names a path or folder. */
function pathLikeInputs(catalog: NodeCatalog): string[] {
  const frontend = frontendTypes(catalog);
  return Object.entries(catalog).flatMap(([classType, spec]) =>
    Object.entries({ ...spec.input?.required, ...spec.input?.optional })
      .filter(([name, input]) => looksLikePath(name, input, frontend))
      .map(([name]) => `${classType}.${name}`),
  );
}

describe('the classification of path-like inputs (lambda/domain/inputs/path-inputs.ts)', () => {
  it.each([
    ['the core catalog (core-object-info.json)', json],
    ['the packed catalog the Lambdas carry', coreCatalog()],
  ])('classifies every path-like input of %s', (_label, catalog) => {
    const found = pathLikeInputs(catalog);
    const unclassified = found.filter((key) => !(key in CORE_PATH_INPUTS));
    expect(unclassified, 'classify these in CORE_PATH_INPUTS after reading the node source').toEqual([]);
    expect(found.length).toBeGreaterThan(40);
  });

  it('lists nothing the catalog lacks (a renamed node must be classified again)', () => {
    const declared = new Set(
      Object.entries(json).flatMap(([classType, spec]) =>
        Object.keys({ ...spec.input?.required, ...spec.input?.optional }).map(
          (name) => `${classType}.${name}`,
        ),
      ),
    );
    expect(Object.keys(CORE_PATH_INPUTS).filter((key) => !declared.has(key))).toEqual([]);
  });

  it('calls a file input exactly what validation treats as one (any *_upload, image_folder, WEBCAM, …)', () => {
    for (const [classType, spec] of Object.entries(json))
      for (const [name, input] of Object.entries({ ...spec.input?.required, ...spec.input?.optional })) {
        const key = `${classType}.${name}`;
        expect(uploadKind(input) !== undefined, key).toBe(CORE_PATH_INPUTS[key] === 'execute-file');
      }
  });

  it('refuses exactly the nodes with a server-path input, and judges custom nodes by their inputs', () => {
    const refused = Object.entries(json)
      .filter(([classType, spec]) => serverPathInputs(classType, spec).length > 0)
      .map(([classType]) => classType)
      .sort();
    expect(refused).toEqual([
      'Load3D',
      'LoadImageDataSetFromFolder',
      'LoadImageTextDataSetFromFolder',
      'LoadLatent',
      'LoadTrainingDataset',
      'SaveImageDataSetToFolder',
      'SaveImageTextDataSetToFolder',
      'SaveTrainingDataset',
    ]);
    const custom = (name: string, type: unknown = 'STRING') => ({
      input: { required: { [name]: [type, {}] } },
    });
    for (const name of ['output_path', 'folder', 'directory', 'dirName', 'input_dir', 'file_path'])
      expect(serverPathInputs('Image Save', custom(name)), name).toEqual([name]);
    for (const name of ['filename_prefix', 'text', 'path_strength'])
      expect(
        serverPathInputs('Custom', custom(name, name === 'path_strength' ? 'FLOAT' : 'STRING')),
        name,
      ).toEqual([]);
  });

  it('denies a custom node input that names a file, a medium or a URL, by its name or its default', () => {
    const node = (name: string, options: Record<string, unknown> = {}) => ({
      input: { required: { [name]: ['STRING', options] } },
    });
    // VHS_LoadVideoPath.video and VHS_LoadImagePath.image open any path; Impact's PreviewBridge
    // reads a temp file by name; a URL is fetched from the GPU instance.
    for (const name of ['video', 'image', 'audio', 'url', 'remote_url', 'file_name', 'gif_filename'])
      expect(serverPathInputs('VHS_LoadVideoPath', node(name)), name).toEqual([name]);
    for (const value of ['./output', '/data/x', 'out/frames', 'C:\\images', 'dir\\sub', 'clip.mp4'])
      expect(serverPathInputs('Custom', node('target', { default: value })), value).toEqual(['target']);
    // Not paths: colours, separators, numbers, lists, prompts, ids, savers' prefixes.
    for (const [name, options] of [
      ['mask_color', { default: '#FFFFFF' }],
      ['join_with', { default: '\\n' }],
      ['max_shift', { default: '1.15' }],
      ['audio_normalization_factors', { default: '1,1,0.25,1' }],
      ['video_id', {}],
      ['image', { multiline: true }],
      ['filename_prefix', { default: 'ComfyUI/x' }],
    ] as const)
      expect(serverPathInputs('Custom', node(name, options)), name).toEqual([]);
  });

  it('refuses the corpus packs that read or write paths, and not their text and colour inputs', () => {
    const refused = new Map<string, string[]>();
    const core = coreCatalog();
    for (const file of readdirSync(CORPUS_OBJECT_INFO)) {
      const catalog = JSON.parse(readFileSync(join(CORPUS_OBJECT_INFO, file), 'utf8')) as NodeCatalog;
      for (const [classType, spec] of Object.entries(catalog))
        if (!(classType in core)) refused.set(classType, serverPathInputs(classType, spec));
    }
    expect(refused.size).toBeGreaterThan(1000);
    expect(Object.fromEntries([...refused].filter(([, inputs]) => inputs.length > 0))).toMatchObject({
      LoadImagesFromFolderKJ: ['folder'],
      LoadVideosFromFolder: ['video'],
      PreviewBridge: ['image'],
      'Image Save': expect.arrayContaining(['output_path']),
      'Load Image From Url (mtb)': ['url'],
      'Load Text File': ['file_path'],
    });
    for (const safe of [
      'StringListToString',
      'WildcardPromptFromString',
      'FluxSamplerParams+',
      'ImageAndMaskPreview',
    ])
      expect(refused.get(safe), safe).toEqual([]);
  });
});
