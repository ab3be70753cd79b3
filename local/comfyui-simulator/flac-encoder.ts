import { createHash } from 'node:crypto';

/**
 * A FLAC encoder with VERBATIM subframes only: valid, lossless FLAC (uncompressed), laid out as
 * ComfyUI's SaveAudio writes it through PyAV/FFmpeg (checked against a file of ComfyUI 0.3.64,
 * test/fixtures/real-comfyui/audio.flac): `fLaC`, STREAMINFO (FFmpeg's block size for the rate,
 * the MD5 of the samples), VORBIS_COMMENT (the metadata pairs, then `encoder`), 8192 bytes of
 * PADDING, then frames of 16-bit samples, each channel coded independently.
 * No npm package encodes FLAC in pure JS (the maintained ones wrap libFLAC as WebAssembly).
 */

/** libavformat's ident in the real server's files (FFmpeg 8, as the checked server ran it). */
export const LAVF_VENDOR = 'Lavf63.1.102';
const PADDING_BYTES = 8192;
const BLOCK_SIZES = [0, 192, 576, 1152, 2304, 4608, 0, 0, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768];
const RATE_CODES: Record<number, number> = {
  88200: 1,
  176400: 2,
  192000: 3,
  8000: 4,
  16000: 5,
  22050: 6,
  24000: 7,
  32000: 8,
  44100: 9,
  48000: 10,
  96000: 11,
};

/** FFmpeg flacenc's select_blocksize: the largest table size within 105 ms. */
export function ffmpegBlockSize(sampleRate: number): number {
  const target = Math.floor((sampleRate * 105) / 1000);
  return BLOCK_SIZES.reduce((best, size) => (target >= size && size > best ? size : best), BLOCK_SIZES[1]!);
}

class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private filled = 0;
  write(bits: number, value: number) {
    for (let bit = bits - 1; bit >= 0; bit--) {
      this.current = (this.current << 1) | (Math.floor(value / 2 ** bit) & 1);
      if (++this.filled === 8) {
        this.bytes.push(this.current);
        this.current = 0;
        this.filled = 0;
      }
    }
  }
  /** Pads to a byte boundary with zero bits. */
  toBuffer(): Buffer {
    if (this.filled > 0) this.write(8 - this.filled, 0);
    return Buffer.from(this.bytes);
  }
}

/** MSB-first CRC tables: FLAC's CRC-8 (x^8+x^2+x+1) and CRC-16 (x^16+x^15+x^2+1). */
function crcTable(width: number, polynomial: number): Uint16Array {
  const top = 1 << (width - 1);
  const mask = (1 << width) - 1;
  return Uint16Array.from({ length: 256 }, (_, byte) => {
    let crc = byte << (width - 8);
    for (let i = 0; i < 8; i++) crc = crc & top ? ((crc << 1) ^ polynomial) & mask : (crc << 1) & mask;
    return crc;
  });
}
const CRC8 = crcTable(8, 0x07);
const CRC16 = crcTable(16, 0x8005);

const crc8 = (bytes: Buffer) => bytes.reduce((crc, byte) => CRC8[crc ^ byte]!, 0);
const crc16 = (bytes: Buffer) =>
  bytes.reduce((crc, byte) => ((crc << 8) & 0xffff) ^ CRC16[(crc >> 8) ^ byte]!, 0);

/** FLAC's "UTF-8" coding of the frame number. */
function utf8Number(value: number): number[] {
  if (value < 0x80) return [value];
  const bytes: number[] = [];
  let rest = value;
  let room = 0x3f;
  while (rest > room >> 1 || bytes.length === 0) {
    bytes.unshift(0x80 | (rest & 0x3f));
    rest = Math.floor(rest / 64);
    room >>= 1;
  }
  const lead = (0xff << (7 - bytes.length)) & 0xff;
  return [lead | rest, ...bytes];
}

function frame(
  channels: Int16Array[],
  start: number,
  length: number,
  blockSize: number,
  rate: number,
  index: number,
) {
  const header = new BitWriter();
  header.write(16, 0xfff8); // sync, fixed block size
  const sizeCode = length === blockSize ? BLOCK_SIZES.indexOf(blockSize) : length <= 256 ? 6 : 7;
  const rateCode = RATE_CODES[rate] ?? (rate % 1000 === 0 && rate / 1000 < 256 ? 12 : rate < 65536 ? 13 : 14);
  header.write(4, sizeCode);
  header.write(4, rateCode);
  header.write(4, channels.length - 1); // independent channels
  header.write(3, 4); // 16 bits per sample
  header.write(1, 0);
  for (const byte of utf8Number(index)) header.write(8, byte);
  if (sizeCode === 6) header.write(8, length - 1);
  if (sizeCode === 7) header.write(16, length - 1);
  if (rateCode === 12) header.write(8, rate / 1000);
  if (rateCode === 13) header.write(16, rate);
  if (rateCode === 14) header.write(16, rate / 10);
  const head = header.toBuffer();
  // A VERBATIM subframe is byte-aligned at 16 bits: its header byte, then the samples big-endian.
  const body = Buffer.alloc(channels.length * (1 + 2 * length));
  let at = 0;
  for (const samples of channels) {
    body[at++] = 0b00000010; // zero pad bit, VERBATIM (000001), no wasted bits
    for (let i = start; i < start + length; i++, at += 2) body.writeInt16BE(samples[i]!, at);
  }
  const withoutCrc = Buffer.concat([head, Buffer.from([crc8(head)]), body]);
  const crc = Buffer.alloc(2);
  crc.writeUInt16BE(crc16(withoutCrc), 0);
  return Buffer.concat([withoutCrc, crc]);
}

function block(type: number, data: Buffer, last: boolean): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length, 0);
  head[0] = (last ? 0x80 : 0) | type;
  return Buffer.concat([head, data]);
}

function vorbisComment(tags: [string, string][]): Buffer {
  const parts = [LAVF_VENDOR, ...[...tags, ['encoder', LAVF_VENDOR]].map(([k, v]) => `${k}=${v}`)].map(
    (text) => Buffer.from(text, 'utf8'),
  );
  const length = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n, 0);
    return b;
  };
  const [vendor, ...comments] = parts;
  return Buffer.concat([
    length(vendor!.length),
    vendor!,
    length(comments.length),
    ...comments.flatMap((c) => [length(c.length), c]),
  ]);
}

/** 16-bit samples per channel (equal lengths) → a FLAC file with these Vorbis comments. */
export function encodeFlac(channels: Int16Array[], sampleRate: number, tags: [string, string][]): Buffer {
  const total = channels[0]?.length ?? 0;
  const blockSize = ffmpegBlockSize(sampleRate);
  const frames: Buffer[] = [];
  for (let start = 0, index = 0; start < total; start += blockSize, index++)
    frames.push(frame(channels, start, Math.min(blockSize, total - start), blockSize, sampleRate, index));
  const interleaved = Buffer.alloc(total * channels.length * 2);
  for (let i = 0; i < total; i++)
    for (let c = 0; c < channels.length; c++)
      interleaved.writeInt16LE(channels[c]![i]!, (i * channels.length + c) * 2);
  const info = new BitWriter();
  info.write(16, blockSize);
  info.write(16, blockSize);
  const sizes = frames.map((f) => f.length);
  info.write(24, sizes.length > 0 ? Math.min(...sizes) : 0);
  info.write(24, Math.max(0, ...sizes));
  info.write(20, sampleRate);
  info.write(3, channels.length - 1);
  info.write(5, 15);
  info.write(36, total);
  const streamInfo = Buffer.concat([info.toBuffer(), createHash('md5').update(interleaved).digest()]);
  return Buffer.concat([
    Buffer.from('fLaC', 'latin1'),
    block(0, streamInfo, false),
    block(4, vorbisComment(tags), false),
    block(1, Buffer.alloc(PADDING_BYTES), true),
    ...frames,
  ]);
}
