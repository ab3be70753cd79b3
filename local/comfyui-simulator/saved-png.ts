import { crc32 } from 'node:zlib';
import type { SavedMetadata } from './saved-metadata';

/** Pillow's MAXBLOCK: its encoder hands PNG data on in blocks of this size (or a row of RGBA). */
const PILLOW_BLOCK = 65_536;

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.byteLength, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A PNG laid out as SaveImage's Pillow writes it (checked against a file of ComfyUI 0.3.64,
 * test/fixtures/real-comfyui/image.png): IHDR, one tEXt chunk per metadata pair (`prompt`, then
 * each extra_pnginfo key; json.dumps text is ASCII, so never iTXt), the pixels in IDAT chunks of
 * Pillow's block size, IEND. Any other chunk of the encoder's output is dropped, as Pillow writes none.
 */
export function asSavedPng(png: Buffer, metadata: SavedMetadata): Buffer {
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at + 12 <= png.length; ) {
    const length = png.readUInt32BE(at);
    chunks.push({
      type: png.toString('latin1', at + 4, at + 8),
      data: png.subarray(at + 8, at + 8 + length),
    });
    at += 12 + length;
  }
  const header = chunks.find((c) => c.type === 'IHDR');
  if (!header) throw new Error('not a PNG: no IHDR');
  const pixels = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
  const block = Math.max(PILLOW_BLOCK, header.data.readUInt32BE(0) * 4);
  const idat: Buffer[] = [];
  for (let at = 0; at < pixels.length; at += block)
    idat.push(pngChunk('IDAT', pixels.subarray(at, at + block)));
  return Buffer.concat([
    png.subarray(0, 8),
    pngChunk('IHDR', header.data),
    ...metadata.map(([key, text]) => pngChunk('tEXt', Buffer.from(`${key}\0${text}`, 'latin1'))),
    ...idat,
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
