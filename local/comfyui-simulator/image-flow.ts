import { PNG } from 'pngjs';
import { renderPng } from './render-png';

type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** An image as the simulator carries it: RGBA bytes, row by row. */
export interface Picture {
  width: number;
  height: number;
  rgba: Buffer;
}

/** A mask: one value 0–1 per pixel (ComfyUI's MASK, 1 = masked). */
export interface Mask {
  width: number;
  height: number;
  values: Float32Array;
}

/** What a sampler starts from: an encoded picture, optionally masked for inpainting. */
interface Latent {
  picture: Picture;
  mask?: Mask;
}

export interface FlowContext {
  /** The decoded input file a loader names (honouring subfolders and ` [input]`), or undefined. */
  readInput(name: string): Buffer | undefined;
}

const link = (value: unknown): [string, number] | undefined =>
  Array.isArray(value) && typeof value[0] === 'string' && Number.isInteger(value[1])
    ? [value[0], value[1] as number]
    : undefined;

function decodePng(bytes: Buffer): Picture | undefined {
  try {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, rgba: png.data };
  } catch {
    return undefined;
  }
}

/**
 * LoadImage's IMAGE: `i.convert("RGB")`, which drops alpha and keeps each pixel's colour as it
 * is (transparent pixels are not blended onto black); the alpha goes to the MASK output only.
 */
function withoutAlpha(picture: Picture): Picture {
  const rgba = Buffer.from(picture.rgba);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  return { ...picture, rgba };
}

/** LoadImageMask's channel, as ComfyUI reads it: alpha is inverted (transparent = masked). */
function maskFrom(picture: Picture, channel: string): Mask {
  const index = { red: 0, green: 1, blue: 2, alpha: 3 }[channel] ?? 3;
  const values = new Float32Array(picture.width * picture.height);
  for (let i = 0; i < values.length; i++) {
    const value = picture.rgba[i * 4 + index]! / 255;
    values[i] = index === 3 ? 1 - value : value;
  }
  return { width: picture.width, height: picture.height, values };
}

/** A sampler's output: the seeded pattern, blended over the start picture by denoise (and the mask). */
function sample(latent: Latent, denoise: number, identity: string): Picture {
  const { width, height } = latent.picture;
  const noise = PNG.sync.read(renderPng(width, height, identity)).data;
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const masked = latent.mask ? (latent.mask.values[i] ?? 0) : 1;
    const weight = Math.max(0, Math.min(1, denoise)) * masked;
    for (let c = 0; c < 3; c++)
      rgba[i * 4 + c] = Math.round(
        latent.picture.rgba[i * 4 + c]! * (1 - weight) + noise[i * 4 + c]! * weight,
      );
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

/**
 * Loaders that open their `image` with `get_annotated_filepath` as LoadImage does (they inherit
 * its load_image): IMAGE and MASK outputs alike.
 */
export const IMAGE_LOADERS = new Set(['LoadImage', 'LoadImageOutput', 'WebcamCapture']);

/**
 * Follows an IMAGE link back through the nodes whose effect on pixels the simulator knows —
 * the image loaders, ImageInvert, VAEDecode of a sampler started from VAEEncode or VAEEncodeForInpaint —
 * so that img2img and inpainting outputs follow from their inputs. Undefined when the chain
 * starts anywhere else (the caller then renders from the prompt, as for txt2img).
 */
export function pictureAt(
  prompt: Prompt,
  value: unknown,
  context: FlowContext,
  depth = 0,
): Picture | undefined {
  const target = link(value);
  const node = target && prompt[target[0]];
  if (!node || depth > 256) return undefined;
  const inputs = node.inputs;
  switch (node.class_type) {
    case 'LoadImage':
    case 'LoadImageOutput':
    case 'WebcamCapture': {
      if (target![1] !== 0) return undefined;
      const bytes = typeof inputs.image === 'string' ? context.readInput(inputs.image) : undefined;
      const picture = bytes && decodePng(bytes);
      return picture && withoutAlpha(picture);
    }
    case 'ImageInvert': {
      const picture = pictureAt(prompt, inputs.image, context, depth + 1);
      if (!picture) return undefined;
      const rgba = Buffer.from(picture.rgba);
      for (let i = 0; i < rgba.length; i += 4)
        for (let c = 0; c < 3; c++) rgba[i + c] = savedByte(1 - Math.fround(rgba[i + c]! / 255));
      return { ...picture, rgba };
    }
    case 'EmptyImage':
      return target![1] === 0 ? emptyImage(inputs) : undefined;
    case 'VAEDecode':
      return sampledAt(prompt, inputs.samples, context, depth + 1);
    case 'ImageCompositeMasked':
      return composite(prompt, inputs, context, depth + 1);
    default:
      return undefined;
  }
}

/**
 * A channel value (0–1) as SaveImage writes it: ComfyUI computes in float32 and truncates
 * `255 * value` to a byte, so 1 − 0x99/255 saves as 101, not 102 (checked on the real server).
 */
function savedByte(value: number): number {
  return Math.min(255, Math.max(0, Math.trunc(Math.fround(255 * Math.fround(value)))));
}

/** ComfyUI's EmptyImage: one colour (0xRRGGBB) all over. */
function emptyImage(inputs: Record<string, unknown>): Picture | undefined {
  const width = Number(inputs.width);
  const height = Number(inputs.height);
  const color = Number(inputs.color ?? 0);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) return undefined;
  const channels = [(color >> 16) & 0xff, (color >> 8) & 0xff, color & 0xff].map((c) => savedByte(c / 255));
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < rgba.length; i += 4) rgba.set([...channels, 255], i);
  return { width, height, rgba };
}

/** ComfyUI's ImageCompositeMasked: source over destination at (x, y), weighted by the mask (1 without one). */
function composite(
  prompt: Prompt,
  inputs: Record<string, unknown>,
  context: FlowContext,
  depth: number,
): Picture | undefined {
  const destination = pictureAt(prompt, inputs.destination, context, depth);
  const source = pictureAt(prompt, inputs.source, context, depth);
  if (!destination || !source || inputs.resize_source === true) return undefined;
  const mask = inputs.mask === undefined ? undefined : maskAt(prompt, inputs.mask, context);
  if (inputs.mask !== undefined && (!mask || mask.width !== source.width || mask.height !== source.height))
    return undefined;
  const left = Number(inputs.x ?? 0);
  const top = Number(inputs.y ?? 0);
  const rgba = Buffer.from(destination.rgba);
  for (let y = 0; y < source.height && top + y < destination.height; y++)
    for (let x = 0; x < source.width && left + x < destination.width; x++) {
      const weight = mask ? mask.values[y * source.width + x]! : 1;
      const into = ((top + y) * destination.width + left + x) * 4;
      const from = (y * source.width + x) * 4;
      for (let c = 0; c < 3; c++)
        rgba[into + c] = Math.round(
          source.rgba[from + c]! * weight + destination.rgba[into + c]! * (1 - weight),
        );
    }
  return { ...destination, rgba };
}

/** A MASK link: LoadImage's second output or LoadImageMask. */
export function maskAt(prompt: Prompt, value: unknown, context: FlowContext): Mask | undefined {
  const target = link(value);
  const node = target && prompt[target[0]];
  if (!node) return undefined;
  const name = node.inputs.image;
  const bytes = typeof name === 'string' ? context.readInput(name) : undefined;
  const picture = bytes && decodePng(bytes);
  if (!picture) return undefined;
  if (IMAGE_LOADERS.has(node.class_type) && target![1] === 1) return maskFrom(picture, 'alpha');
  if (node.class_type === 'LoadImageMask') return maskFrom(picture, String(node.inputs.channel ?? 'alpha'));
  return undefined;
}

function sampledAt(prompt: Prompt, value: unknown, context: FlowContext, depth: number): Picture | undefined {
  const target = link(value);
  const sampler = target && prompt[target[0]];
  if (!sampler || (sampler.class_type !== 'KSampler' && sampler.class_type !== 'KSamplerAdvanced'))
    return undefined;
  const latent = latentAt(prompt, sampler.inputs.latent_image, context, depth + 1);
  if (!latent) return undefined;
  const denoise = typeof sampler.inputs.denoise === 'number' ? sampler.inputs.denoise : 1;
  const seed = sampler.inputs.seed ?? sampler.inputs.noise_seed ?? 0;
  return sample(latent, denoise, `img2img|${String(seed)}|${target![0]}`);
}

function latentAt(prompt: Prompt, value: unknown, context: FlowContext, depth: number): Latent | undefined {
  const target = link(value);
  const node = target && prompt[target[0]];
  if (!node) return undefined;
  if (node.class_type === 'VAEEncode') {
    const picture = pictureAt(prompt, node.inputs.pixels, context, depth + 1);
    return picture && { picture };
  }
  if (node.class_type === 'VAEEncodeForInpaint' || node.class_type === 'InpaintModelConditioning') {
    const picture = pictureAt(prompt, node.inputs.pixels, context, depth + 1);
    const mask = maskAt(prompt, node.inputs.mask, context);
    return (
      picture && {
        picture,
        ...(mask && mask.width === picture.width && mask.height === picture.height ? { mask } : {}),
      }
    );
  }
  return undefined;
}

export function encodePng(picture: Picture): Buffer {
  const png = new PNG({ width: picture.width, height: picture.height });
  picture.rgba.copy(png.data);
  return PNG.sync.write(png, { colorType: 2 });
}
