import type { PromptGraph } from '../prompt-graph';

/**
 * Which loader inputs read which model folder, from ComfyUI's own nodes (a125cd84: each input
 * whose options are `folder_paths.get_filename_list(folder)`), plus VAELoader and the common
 * IPAdapter loader. The catalog's `/object_info` lists the files but never says the folder.
 */
const MODEL_INPUTS: Record<string, Record<string, string>> = {
  AudioEncoderLoader: { audio_encoder_name: 'audio_encoders' },
  CLIPLoader: { clip_name: 'text_encoders' },
  CLIPVisionLoader: { clip_name: 'clip_vision' },
  CheckpointLoader: { config_name: 'configs', ckpt_name: 'checkpoints' },
  CheckpointLoaderSimple: { ckpt_name: 'checkpoints' },
  ControlNetLoader: { control_net_name: 'controlnet' },
  CreateHookLora: { lora_name: 'loras' },
  CreateHookLoraModelOnly: { lora_name: 'loras' },
  CreateHookModelAsLora: { ckpt_name: 'checkpoints' },
  CreateHookModelAsLoraModelOnly: { ckpt_name: 'checkpoints' },
  DiffControlNetLoader: { control_net_name: 'controlnet' },
  DualCLIPLoader: { clip_name1: 'text_encoders', clip_name2: 'text_encoders' },
  GLIGENLoader: { gligen_name: 'gligen' },
  HypernetworkLoader: { hypernetwork_name: 'hypernetworks' },
  ImageOnlyCheckpointLoader: { ckpt_name: 'checkpoints' },
  IPAdapterModelLoader: { ipadapter_file: 'ipadapter' },
  LoraLoader: { lora_name: 'loras' },
  LoraLoaderModelOnly: { lora_name: 'loras' },
  ModelPatchLoader: { name: 'model_patches' },
  PhotoMakerLoader: { photomaker_model_name: 'photomaker' },
  QuadrupleCLIPLoader: {
    clip_name1: 'text_encoders',
    clip_name2: 'text_encoders',
    clip_name3: 'text_encoders',
    clip_name4: 'text_encoders',
  },
  StyleModelLoader: { style_model_name: 'style_models' },
  TripleCLIPLoader: { clip_name1: 'text_encoders', clip_name2: 'text_encoders', clip_name3: 'text_encoders' },
  UNETLoader: { unet_name: 'diffusion_models' },
  UpscaleModelLoader: { model_name: 'upscale_models' },
  VAELoader: { vae_name: 'vae' },
  unCLIPCheckpointLoader: { ckpt_name: 'checkpoints' },
};

/** ComfyUI reads these library folders for a loader folder: the current name and the older one. */
const LIBRARY_FOLDERS: Record<string, readonly string[]> = {
  text_encoders: ['text_encoders', 'clip'],
  diffusion_models: ['diffusion_models', 'unet'],
  controlnet: ['controlnet', 't2i_adapter'],
};

export function libraryFoldersFor(folder: string): readonly string[] {
  return (Object.hasOwn(LIBRARY_FOLDERS, folder) ? LIBRARY_FOLDERS[folder] : undefined) ?? [folder];
}

/** The model folder a loader input reads, or undefined for any other input. */
export function modelFolderOf(classType: string, input: string): string | undefined {
  return MODEL_INPUTS[classType]?.[input];
}

export interface ModelInput {
  nodeId: string;
  classType: string;
  input: string;
  /** The file name the prompt gives (ComfyUI's list shows subfolders as `sdxl/x.safetensors`). */
  value: string;
  folder: string;
}

/** Every literal loader input of the prompt that names a model file. */
export function modelInputsOf(prompt: PromptGraph): ModelInput[] {
  const found: ModelInput[] = [];
  for (const [nodeId, node] of Object.entries(prompt)) {
    for (const [input, value] of Object.entries(node.inputs)) {
      const folder = modelFolderOf(node.class_type, input);
      if (folder && typeof value === 'string')
        found.push({ nodeId, classType: node.class_type, input, value, folder });
    }
  }
  return found;
}

/** The key a library model is known by in validation: `folder/name` (the loader's folder). */
export const modelKey = (folder: string, name: string) => `${folder}/${name}`;
