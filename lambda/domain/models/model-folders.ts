/**
 * ComfyUI's model folders (folder_paths.py, a125cd84), with the file extensions each accepts.
 * `clip`, `unet` and `t2i_adapter` are older names ComfyUI still reads as folders of
 * `text_encoders`, `diffusion_models` and `controlnet`; the library keeps them as given.
 */
const PT_EXTENSIONS = ['.ckpt', '.pt', '.pt2', '.bin', '.pth', '.safetensors', '.pkl', '.sft'] as const;

export const MODEL_FOLDERS: Record<string, readonly string[]> = {
  checkpoints: PT_EXTENSIONS,
  configs: ['.yaml'],
  loras: PT_EXTENSIONS,
  vae: PT_EXTENSIONS,
  text_encoders: PT_EXTENSIONS,
  clip: PT_EXTENSIONS,
  diffusion_models: PT_EXTENSIONS,
  unet: PT_EXTENSIONS,
  clip_vision: PT_EXTENSIONS,
  style_models: PT_EXTENSIONS,
  embeddings: PT_EXTENSIONS,
  vae_approx: PT_EXTENSIONS,
  controlnet: PT_EXTENSIONS,
  t2i_adapter: PT_EXTENSIONS,
  gligen: PT_EXTENSIONS,
  upscale_models: PT_EXTENSIONS,
  hypernetworks: PT_EXTENSIONS,
  photomaker: PT_EXTENSIONS,
  model_patches: PT_EXTENSIONS,
  audio_encoders: PT_EXTENSIONS,
  // Widely used custom nodes' folders (ComfyUI_IPAdapter_plus, InstantID, Impact Pack).
  ipadapter: PT_EXTENSIONS,
  instantid: PT_EXTENSIONS,
  ultralytics: PT_EXTENSIONS,
  sams: PT_EXTENSIONS,
};

export function isModelFolder(folder: string): boolean {
  return Object.hasOwn(MODEL_FOLDERS, folder);
}

/**
 * Why a model name cannot live in a folder, or undefined: a relative path (subfolders kept, as
 * ComfyUI lists them: `sdxl/detail.safetensors`), no empty, `.` or `..` segment, no backslash,
 * NUL or control character, at most 1,024 bytes, and an extension the folder's loaders read.
 */
export function modelNameProblem(folder: string, name: string): string | undefined {
  if (!isModelFolder(folder))
    return `folder '${folder}' is not a ComfyUI model folder; one of ${Object.keys(MODEL_FOLDERS).join(', ')}`;
  if (name === '') return 'name is empty';
  // Stored as models/{folder}/{name}: the whole key must stay within S3's 1,024 bytes.
  if (Buffer.byteLength(name) > 900) return 'name is longer than 900 bytes';
  if (name.split('/').some((segment) => Buffer.byteLength(segment) > 200))
    return 'name has a file or folder name longer than 200 bytes';
  if (name.startsWith('/')) return 'name must be a relative path, not absolute';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (name.includes('\\') || /[\u0000-\u001f\u007f]/.test(name))
    return 'name must not contain backslashes, NUL or control characters';
  if (name.split('/').some((segment) => segment === '' || segment === '.' || segment === '..'))
    return "name must not contain empty, '.' or '..' path segments";
  const extensions = MODEL_FOLDERS[folder]!;
  if (!extensions.some((extension) => name.toLowerCase().endsWith(extension)))
    return `name must end with one of ${extensions.join(', ')} (what ComfyUI reads from ${folder})`;
  return undefined;
}
