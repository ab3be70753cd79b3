/** What a PNG's IHDR chunk says, read without inflating anything. */
export interface PngHeader {
  width: number;
  height: number;
  /** Bits per sample: 1, 2, 4, 8 or 16. */
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colorType: number;
  interlaced: boolean;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

/** The header of a PNG (its signature, then IHDR, as the format requires), or undefined for anything else. */
export function readPngHeader(bytes: Uint8Array): PngHeader | undefined {
  if (bytes.byteLength < 33 || SIGNATURE.some((byte, i) => bytes[i] !== byte)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (view.getUint32(8) !== 13 || type !== 'IHDR') return undefined;
  const header = {
    width: view.getUint32(16),
    height: view.getUint32(20),
    bitDepth: bytes[24]!,
    colorType: bytes[25]!,
    interlaced: bytes[28] === 1,
  };
  const valid =
    header.width > 0 &&
    header.height > 0 &&
    DEPTHS[header.colorType]?.includes(header.bitDepth) === true &&
    bytes[26] === 0 &&
    bytes[27] === 0 &&
    bytes[28]! <= 1;
  return valid ? header : undefined;
}

/**
 * The most bytes the image data of a PNG with this header can inflate to: the samples plus, per
 * row of each of Adam7's seven passes at most, a filter byte and a partly used byte.
 */
export function maxInflatedBytes(header: PngHeader): number {
  const bitsPerPixel = CHANNELS[header.colorType]! * header.bitDepth;
  const rows = header.interlaced ? Math.ceil(1.875 * header.height) + 7 : header.height;
  return Math.ceil((header.width * header.height * bitsPerPixel) / 8) + 2 * rows;
}

/** The concatenated IDAT chunks (the zlib stream of the image), or undefined when the chunks do not add up. */
export function pngImageData(bytes: Uint8Array): Uint8Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let at = 8; at + 12 <= bytes.byteLength; ) {
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > bytes.byteLength) return undefined;
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'IDAT') {
      parts.push(bytes.subarray(at + 8, at + 8 + length));
      total += length;
    }
    if (type === 'IEND') break;
    at = end;
  }
  const data = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.byteLength;
  }
  return data;
}
