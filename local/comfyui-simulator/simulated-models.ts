/**
 * The models the simulator pretends to have, by loader input name. It renders pictures without
 * them; they exist so that prompts naming common models validate as they would on a real box.
 */
export const SIMULATED_MODELS: Record<string, string[]> = {
  ckpt_name: [
    'v1-5-pruned-emaonly.safetensors',
    'v1-5-pruned-emaonly-fp16.safetensors',
    'sd_xl_base_1.0.safetensors',
    'sd_xl_refiner_1.0.safetensors',
    'sdXL_v10VAEFix.safetensors',
  ],
  lora_name: ['example_lora.safetensors'],
  vae_name: ['sdxl_vae.safetensors', 'vae-ft-mse-840000-ema-pruned.safetensors'],
  unet_name: ['flux1-dev.safetensors', 'flux1-schnell.safetensors'],
  clip_name: ['clip_l.safetensors', 't5xxl_fp16.safetensors'],
  clip_name1: ['clip_l.safetensors'],
  clip_name2: ['t5xxl_fp16.safetensors'],
  control_net_name: ['control_v11p_sd15_canny.pth'],
  upscale_model_name: ['RealESRGAN_x4plus.pth'],
  image: ['example.png'],
};
