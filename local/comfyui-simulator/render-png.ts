import { PNG } from 'pngjs';

/** FNV-1a, 32 bits: a stable number from the inputs that decide a picture. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a small seeded PRNG, so the same seed gives the same pixels everywhere. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A real PNG whose pixels depend only on `identity` (seed, prompt text, batch index): a
 * two-colour gradient with seeded grain. `grain` 0–255 sets how noisy (and how big) it is.
 */
export function renderPng(width: number, height: number, identity: string, grain = 24): Buffer {
  const random = prng(hash32(identity));
  const from = [random() * 255, random() * 255, random() * 255];
  const to = [random() * 255, random() * 255, random() * 255];
  const png = new PNG({ width, height, colorType: 2, inputHasAlpha: true });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x + y) / Math.max(1, width + height - 2);
      const offset = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        const base = from[c]! + (to[c]! - from[c]!) * t;
        png.data[offset + c] = Math.max(0, Math.min(255, Math.round(base + (random() - 0.5) * grain)));
      }
      png.data[offset + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}
