import { type NodeSpec, optionsOf } from '../workflow/node-catalog';

/**
 * What an input that names a path or folder may do on a shared endpoint:
 * - `execute-file`: ComfyUI opens the value with `get_annotated_filepath`; it must name a file the
 *   execute brings (file-inputs.ts, checked by validate-prompt.ts);
 * - `server-path`: ComfyUI joins the value to a folder without confining it, reads folders every
 *   key shares, or writes files it never reports (so they are neither delivered nor removed, and
 *   stay on the shared instance): the node is refused unless the operator allows its class for
 *   the endpoint;
 * - `confined-save`: a saver's prefix that `folder_paths.get_save_image_path` keeps inside the
 *   output (or temp) folder, under a fresh counter, so it neither leaves it nor overwrites;
 * - `listed`: a combo ComfyUI itself checks against the endpoint's own list;
 * - `not-a-path`: a name that looks like one but is not opened (text, colours, UI-only widgets,
 *   socket-only types that carry objects).
 */
export type PathDecision = 'execute-file' | 'server-path' | 'confined-save' | 'listed' | 'not-a-path';

const saves = (classes: string[], input = 'filename_prefix') =>
  Object.fromEntries(classes.map((name) => [`${name}.${input}`, 'confined-save' as const]));

/**
 * Every input of ComfyUI's core catalog that names (or looks as if it names) a path or folder,
 * read against the node's source (comfy_extras/nodes_dataset.py, nodes_train.py, nodes_load_3d.py,
 * …). test/unit/domain/path-inputs.test.ts fails when the catalog gains one that is not here.
 */
export const CORE_PATH_INPUTS: Readonly<Record<string, PathDecision>> = {
  'LoadImage.image': 'execute-file',
  'LoadImageMask.image': 'execute-file',
  'LoadImageOutput.image': 'execute-file',
  'WebcamCapture.image': 'execute-file',
  'LoadAudio.audio': 'execute-file',
  'RecordAudio.audio': 'execute-file',
  'LoadVideo.file': 'execute-file',
  'Load3D.model_file': 'execute-file',
  'Painter.mask': 'execute-file',
  // A dict of paths ({image, mask, normal, lineart, recording}) the frontend points at [temp] files.
  'Load3D.image': 'server-path',
  // A subfolder of the input folder: `comfy-exec` (every execute's files) is one.
  'LoadImageDataSetFromFolder.folder': 'server-path',
  'LoadImageTextDataSetFromFolder.folder': 'server-path',
  // os.path.join(output, folder_name): absolute names and '..' write anywhere; others' datasets are read.
  'SaveImageDataSetToFolder.folder_name': 'server-path',
  'SaveImageDataSetToFolder.filename_prefix': 'server-path',
  'SaveImageTextDataSetToFolder.folder_name': 'server-path',
  'SaveImageTextDataSetToFolder.filename_prefix': 'server-path',
  // A COMBO with no upload flag, but ComfyUI's VALIDATE_INPUTS skips the list and opens any
  // annotated path (`x [output]`, absolute): another key's latents, or /dev/zero read whole.
  'LoadLatent.latent': 'server-path',
  // torch.load of any folder's shards: another key's dataset, or a planted pickle.
  'LoadTrainingDataset.folder_name': 'server-path',
  'SaveTrainingDataset.folder_name': 'server-path',
  ...saves([
    'SaveImage',
    'SaveAnimatedPNG',
    'SaveAnimatedWEBP',
    'SaveAudio',
    'SaveAudioMP3',
    'SaveAudioOpus',
    'SaveVideo',
    'SaveWEBM',
    'SaveGLB',
    'SaveSVGNode',
    'SaveLatent',
  ]),
  // Model savers: a confined prefix, but no `ui` in their result (ComfyUI 0.3.64
  // nodes_model_merging.py, nodes_lora_extract.py, nodes_video_model.py, nodes_train.py), so the
  // container never learns their files: not delivered, not removed, readable by name later.
  'CheckpointSave.filename_prefix': 'server-path',
  'ImageOnlyCheckpointSave.filename_prefix': 'server-path',
  'CLIPSave.filename_prefix': 'server-path',
  'VAESave.filename_prefix': 'server-path',
  'ModelSave.filename_prefix': 'server-path',
  'LoraSave.filename_prefix': 'server-path',
  'SaveLoRA.prefix': 'server-path',
  // os.path.join(temp, f"{filename_prefix}_{date}.png"): not confined, so `../` writes anywhere.
  'LossGraphNode.filename_prefix': 'server-path',
  // A combo, but ComfyUI list-checks only literal values: a linked string loads any folder.
  'DiffusersLoader.model_path': 'server-path',
  'AddTextPrefix.prefix': 'not-a-path',
  'ColorToRGBInt.color': 'not-a-path',
  'Painter.bg_color': 'not-a-path',
  'CreateHookKeyframesFromFloats.floats_strength': 'not-a-path',
  'ImageCompare.compare_view': 'not-a-path',
  // Echoed into the UI result only; the browser fetches it through /view, which confines it.
  'Preview3D.model_file': 'not-a-path',
  'SaveGLB.mesh': 'not-a-path',
  'SaveSVGNode.svg': 'not-a-path',
};

/** Words of an input's name that say it holds a path (`folder_name`, `output_path`, `dirName`). */
const PATH_WORDS = new Set(['folder', 'path', 'dir', 'directory', 'dirname', 'filepath', 'root']);
/** Broader words the catalog scan also asks about (savers' prefixes, file names). */
const FILE_WORDS = new Set(['file', 'filename', 'prefix', 'dataset', 'location']);

function words(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
}

function types(spec: unknown): string[] {
  const type = Array.isArray(spec) ? spec[0] : undefined;
  return Array.isArray(type) ? ['COMBO'] : typeof type === 'string' ? type.split(',') : [];
}

const isText = (spec: unknown) => types(spec).some((type) => type === 'STRING' || type === 'COMBO');
const hasPathOption = (spec: unknown) =>
  Object.keys(optionsOf(spec)).some((key) => /upload|folder|path|dir/i.test(key));

/**
 * Whether an input looks as if it names a path: an option about uploads or folders, a text input
 * whose name says path or file, or (`frontendTypes`) a type no node outputs that the frontend
 * fills in itself (WEBCAM, LOAD_3D, …). Wider than the refusal below (it also asks about file
 * names and prefixes), so the catalog scan makes someone read every such node's source.
 */
export function looksLikePath(name: string, spec: unknown, frontendTypes: ReadonlySet<string>): boolean {
  if (hasPathOption(spec) || types(spec).some((type) => frontendTypes.has(type))) return true;
  return isText(spec) && words(name).some((word) => PATH_WORDS.has(word) || FILE_WORDS.has(word));
}

/** ComfyUI's own modules: core nodes (nodes.py), comfy_extras, and the partner API nodes. */
const COMFYUI_MODULES = /^(nodes$|comfy_extras\.|comfy_api_nodes\.)/;

/**
 * Whether a class comes from a custom node pack (`python_module` `custom_nodes.…`, or none given).
 * A pack's node runs whatever code it has (one in the corpus `exec`s a text input; others open
 * any path, fetch any URL, or keep a cache every key shares), which no reading of its input names
 * can judge: deny by default, allowed per endpoint by the operator who installed it.
 */
export function isCustomNode(spec: NodeSpec): boolean {
  return !COMFYUI_MODULES.test(spec.python_module ?? '');
}

/**
 * The inputs through which a core node class reads or writes paths the service cannot confine
 * (none: an empty list), from the table. Custom nodes are refused whole (isCustomNode). An input
 * that looks like a path but is not in the table comes from a ComfyUI this table was not read
 * against (the catalog test keeps the bundled one's complete; an environment may pin another):
 * deny by default, as a renamed dataset loader would otherwise read folders every key shares.
 */
export function serverPathInputs(classType: string, spec: NodeSpec): string[] {
  const declared = { ...spec.input?.required, ...spec.input?.optional };
  return Object.entries(declared)
    .filter(([input, inputSpec]) => {
      const decision = CORE_PATH_INPUTS[`${classType}.${input}`];
      return (
        decision === 'server-path' || (decision === undefined && looksLikePath(input, inputSpec, NO_TYPES))
      );
    })
    .map(([input]) => input);
}

const NO_TYPES: ReadonlySet<string> = new Set();
