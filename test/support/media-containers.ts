/**
 * Readers for the containers ComfyUI's savers write, as far as a client looks into them: PNG
 * chunks, FLAC metadata and (VERBATIM) frames, ID3v2 frames and MPEG audio frame headers, Ogg
 * pages and Opus headers. Test equipment: each checks what it reads (CRCs, magic) and throws.
 */
export function pngChunks(png: Buffer): { type: string; data: Buffer }[] {
  if (png.toString('latin1', 1, 4) !== 'PNG') throw new Error('not a PNG');
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    chunks.push({
      type: png.toString('latin1', at + 4, at + 8),
      data: png.subarray(at + 8, at + 8 + length),
    });
    at += 12 + length;
  }
  return chunks;
}

export interface FlacFile {
  blocks: { type: number; data: Buffer }[];
  streamInfo: {
    minBlock: number;
    maxBlock: number;
    sampleRate: number;
    channels: number;
    bitsPerSample: number;
    totalSamples: number;
    md5: string;
  };
  vendor: string;
  comments: string[];
  /** Where the first frame starts. */
  framesAt: number;
}

export function readFlac(bytes: Buffer): FlacFile {
  if (bytes.toString('latin1', 0, 4) !== 'fLaC') throw new Error('not FLAC');
  const blocks: FlacFile['blocks'] = [];
  let at = 4;
  for (let last = false; !last; ) {
    last = (bytes[at]! & 0x80) !== 0;
    const length = bytes.readUIntBE(at + 1, 3);
    blocks.push({ type: bytes[at]! & 0x7f, data: bytes.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  const info = blocks.find((b) => b.type === 0)!.data;
  const comment = blocks.find((b) => b.type === 4)!.data;
  const vendorLength = comment.readUInt32LE(0);
  const comments: string[] = [];
  for (let p = 8 + vendorLength, n = comment.readUInt32LE(4 + vendorLength); n > 0; n--) {
    const length = comment.readUInt32LE(p);
    comments.push(comment.toString('utf8', p + 4, p + 4 + length));
    p += 4 + length;
  }
  return {
    blocks,
    streamInfo: {
      minBlock: info.readUInt16BE(0),
      maxBlock: info.readUInt16BE(2),
      sampleRate: info.readUIntBE(10, 3) >> 4,
      channels: ((info[12]! >> 1) & 7) + 1,
      bitsPerSample: (((info[12]! & 1) << 4) | (info[13]! >> 4)) + 1,
      totalSamples: (info[13]! & 15) * 2 ** 32 + info.readUInt32BE(14),
      md5: info.subarray(18, 34).toString('hex'),
    },
    vendor: comment.toString('utf8', 4, 4 + vendorLength),
    comments,
    framesAt: at,
  };
}

/**
 * The samples of a FLAC file whose frames are all 16-bit VERBATIM with independent channels (what
 * the simulator writes); every frame's CRC-16 is checked. Other subframe types throw.
 */
export function decodeVerbatimFlac(bytes: Buffer): Int16Array[] {
  const { streamInfo, framesAt } = readFlac(bytes);
  const channels = Array.from({ length: streamInfo.channels }, () => new Int16Array(streamInfo.totalSamples));
  let done = 0;
  for (let at = framesAt; done < streamInfo.totalSamples; ) {
    if (bytes.readUInt16BE(at) !== 0xfff8) throw new Error(`no frame sync at ${at}`);
    const sizeCode = bytes[at + 2]! >> 4;
    let p = at + 5; // one-byte frame numbers: files of under 128 frames
    let length = streamInfo.maxBlock;
    if (sizeCode === 6) length = bytes[p++]! + 1;
    if (sizeCode === 7) {
      length = bytes.readUInt16BE(p) + 1;
      p += 2;
    }
    p += 1; // CRC-8
    for (const samples of channels) {
      if (bytes[p++] !== 0b00000010) throw new Error('not a VERBATIM subframe');
      for (let i = 0; i < length; i++, p += 2) samples[done + i] = bytes.readInt16BE(p);
    }
    let crc = 0;
    for (const byte of bytes.subarray(at, p)) {
      crc ^= byte << 8;
      for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
    }
    if (crc !== bytes.readUInt16BE(p)) throw new Error(`frame at ${at}: CRC-16 mismatch`);
    done += length;
    at = p + 2;
  }
  return channels;
}

/** ID3v2.4 frames (id, body) and where the audio starts. */
export function readId3(bytes: Buffer): { version: number; frames: [string, Buffer][]; audioAt: number } {
  if (bytes.toString('latin1', 0, 3) !== 'ID3') throw new Error('no ID3v2 tag');
  const syncsafe = (at: number) =>
    (bytes[at]! << 21) | (bytes[at + 1]! << 14) | (bytes[at + 2]! << 7) | bytes[at + 3]!;
  const end = 10 + syncsafe(6);
  const frames: [string, Buffer][] = [];
  for (let at = 10; at + 10 <= end && bytes[at] !== 0; ) {
    const size = syncsafe(at + 4);
    frames.push([bytes.toString('latin1', at, at + 4), bytes.subarray(at + 10, at + 10 + size)]);
    at += 10 + size;
  }
  return { version: bytes[3]!, frames, audioAt: end };
}

/** An MPEG audio frame header: version (3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5), layer, rate, channels. */
export function mpegHeader(bytes: Buffer, at: number) {
  const header = bytes.readUInt32BE(at);
  if (header >>> 21 !== 0x7ff) throw new Error(`no MPEG frame sync at ${at}`);
  const version = (header >>> 19) & 3;
  const rates = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] }[version]!;
  return {
    version,
    layer: 4 - ((header >>> 17) & 3),
    sampleRate: rates[(header >>> 10) & 3]!,
    channels: ((header >>> 6) & 3) === 3 ? 1 : 2,
  };
}

/** The Xing tag of the first frame: its frame count, and LAME's encoder delay and padding. */
export function xingTag(frame: Buffer) {
  const at = frame.indexOf('Xing', 0, 'latin1');
  if (at < 0) throw new Error('no Xing tag');
  const lame = at + 16 + 100 + 4;
  const delays = frame.readUIntBE(lame + 21, 3);
  return {
    flags: frame.readUInt32BE(at + 4),
    frames: frame.readUInt32BE(at + 8),
    delay: delays >> 12,
    padding: delays & 0xfff,
  };
}

export interface OggPage {
  flags: number;
  granule: bigint;
  sequence: number;
  packets: Buffer[];
}

/** Ogg pages with their packets (a packet that goes on in the next page ends there); CRCs checked. */
export function oggPages(bytes: Buffer): OggPage[] {
  const pages: OggPage[] = [];
  for (let at = 0; at < bytes.length; ) {
    if (bytes.toString('latin1', at, at + 4) !== 'OggS') throw new Error(`no Ogg page at ${at}`);
    const count = bytes[at + 26]!;
    const lacing = [...bytes.subarray(at + 27, at + 27 + count)];
    const size = 27 + count + lacing.reduce((sum, value) => sum + value, 0);
    const page = Buffer.from(bytes.subarray(at, at + size));
    page.writeUInt32LE(0, 22);
    let crc = 0;
    for (const byte of page) {
      crc ^= byte << 24;
      for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    }
    if (crc >>> 0 !== bytes.readUInt32LE(at + 22)) throw new Error(`page at ${at}: CRC mismatch`);
    const packets: Buffer[] = [];
    let start = at + 27 + count;
    let length = 0;
    for (const value of lacing) {
      length += value;
      if (value < 255) {
        packets.push(bytes.subarray(start, start + length));
        start += length;
        length = 0;
      }
    }
    pages.push({
      flags: bytes[at + 5]!,
      granule: bytes.readBigInt64LE(at + 6),
      sequence: bytes.readUInt32LE(at + 18),
      packets,
    });
    at += size;
  }
  return pages;
}
