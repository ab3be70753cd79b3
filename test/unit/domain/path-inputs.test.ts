import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreCatalog } from '../../../lambda/catalog/core-catalog';
import { uploadKind } from '../../../lambda/domain/inputs/file-inputs';
import {
  CORE_PATH_INPUTS,
  isCustomNode,
  looksLikePath,
  serverPathInputs,
} from '../../../lambda/domain/inputs/path-inputs';
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

  it('refuses exactly the core nodes with a server-path input', () => {
    const refused = Object.entries(json)
      .filter(([classType, spec]) => serverPathInputs(classType, spec).length > 0)
      .map(([classType]) => classType)
      .sort();
    expect(refused).toEqual([
      // Model savers: their files are never reported, so never delivered nor removed (issue 25's attack).
      'CLIPSave',
      'CheckpointSave',
      'DiffusersLoader',
      'ImageOnlyCheckpointSave',
      'Load3D',
      'LoadImageDataSetFromFolder',
      'LoadImageTextDataSetFromFolder',
      'LoadLatent',
      'LoadTrainingDataset',
      'LoraSave',
      // os.path.join of an unconfined prefix.
      'LossGraphNode',
      'ModelSave',
      'SaveImageDataSetToFolder',
      'SaveImageTextDataSetToFolder',
      'SaveLoRA',
      'SaveTrainingDataset',
      'VAESave',
    ]);
  });

  it('refuses path-like inputs of ComfyUI versions the table was not read against (deny by default)', () => {
    // An older ComfyUI (an environment may pin one) named the dataset loaders and the LoRA saver
    // otherwise: the same code, under names the table does not hold.
    const older = JSON.parse(
      readFileSync(join(CORPUS_OBJECT_INFO, 'MeshAiProtocol__Redlip-app__object_info.json'), 'utf8'),
    ) as NodeCatalog;
    const refused = Object.entries(older)
      .filter(([, spec]) => !isCustomNode(spec))
      .flatMap(([classType, spec]) =>
        json[classType] ? [] : serverPathInputs(classType, spec).map((input) => `${classType}.${input}`),
      )
      .sort();
    expect(refused).toEqual([
      'Load3DAnimation.model_file',
      'LoadImageSetFromFolderNode.folder',
      'LoadImageTextSetFromFolderNode.folder',
      'Preview3DAnimation.model_file',
      'SaveLoRANode.prefix',
    ]);
  });

  it("tells ComfyUI's own nodes from custom nodes by python_module, in every catalog", () => {
    for (const spec of Object.values(coreCatalog())) expect(isCustomNode(spec)).toBe(false);
    const modules = new Map<string, boolean>();
    for (const file of readdirSync(CORPUS_OBJECT_INFO)) {
      const catalog = JSON.parse(readFileSync(join(CORPUS_OBJECT_INFO, file), 'utf8')) as NodeCatalog;
      for (const spec of Object.values(catalog))
        modules.set(String(spec.python_module).split('.')[0]!, isCustomNode(spec));
    }
    // The corpus's ModelTest execs a text input, JWLoadImagesFromString opens any path, a Dify
    // node posts to any URL, Inspire's cache is shared by every key: all are custom_nodes.*.
    expect(Object.fromEntries(modules)).toEqual({
      nodes: false,
      comfy_extras: false,
      comfy_api_nodes: false,
      custom_nodes: true,
    });
    expect(isCustomNode({ input: {} })).toBe(true); // no python_module: not known to be ComfyUI's
  });
});
