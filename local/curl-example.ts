/** A prompt the simulator (and a stock ComfyUI with SD 1.5) runs: ComfyUI's default graph. */
export const EXAMPLE_PROMPT = {
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
  '6': {
    class_type: 'CLIPTextEncode',
    inputs: { text: 'a glass bottle with a galaxy inside', clip: ['4', 1] },
  },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: 'text, watermark', clip: ['4', 1] } },
  '3': {
    class_type: 'KSampler',
    inputs: {
      seed: 8566257,
      steps: 20,
      cfg: 8,
      sampler_name: 'euler',
      scheduler: 'normal',
      denoise: 1,
      model: ['4', 0],
      positive: ['6', 0],
      negative: ['7', 0],
      latent_image: ['5', 0],
    },
  },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
};

/** A shell command that creates an execute, exactly as printed by `npm start`. */
export function curlExample(apiUrl: string, apiKey: string): string {
  const body = JSON.stringify({ prompt: EXAMPLE_PROMPT });
  return `curl -s -X POST '${apiUrl}executes' -H 'x-api-key: ${apiKey}' -H 'Content-Type: application/json' -d '${body}'`;
}
