import { LAVF_VENDOR } from './flac-encoder';
import type { SavedMetadata } from './saved-metadata';
import type { Waveform } from './wav-pcm';

/**
 * SaveAudioOpus's file as ComfyUI writes it through PyAV (libopus, FFmpeg's Ogg muxer; checked
 * against test/fixtures/real-comfyui/audio.opus of ComfyUI 0.3.64): Ogg pages holding OpusHead (the
 * rate ComfyUI resampled to, 312 samples of pre-skip), OpusTags (FFmpeg's vendor, the metadata
 * pairs, `encoder`), then 20 ms packets, one second per page, the last page's granule marking the
 * end. The simulator has no Opus encoder: every packet is CELT's digital silence (`FF FE`).
 */
const OPUS_RATES = [8000, 12000, 16000, 24000, 48000];
const PRE_SKIP = 312;
const PACKET_SAMPLES = 960;
const PACKETS_PER_PAGE = 50;

const OGG_CRC = Uint32Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 24;
  for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  return crc >>> 0;
});

const lacingOf = (packet: Buffer) => [
  ...Array<number>(Math.floor(packet.length / 255)).fill(255),
  packet.length % 255,
];

function rawPage(
  lacing: number[],
  body: Buffer,
  flags: number,
  granule: number,
  serial: number,
  sequence: number,
) {
  const head = Buffer.alloc(27);
  head.write('OggS', 0, 'latin1');
  head[5] = flags;
  head.writeBigInt64LE(BigInt(granule), 6);
  head.writeUInt32LE(serial, 14);
  head.writeUInt32LE(sequence, 18);
  head[26] = lacing.length;
  const bytes = Buffer.concat([head, Buffer.from(lacing), body]);
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ OGG_CRC[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  bytes.writeUInt32LE(crc, 22);
  return bytes;
}

/** Whole packets (each under 255 lacing values) in one page. */
const page = (packets: Buffer[], flags: number, granule: number, serial: number, sequence: number) =>
  rawPage(packets.flatMap(lacingOf), Buffer.concat(packets), flags, granule, serial, sequence);

/** One packet over as many pages as its lacing values need; a page where it does not end has granule -1. */
function pagesOf(packet: Buffer, serial: number, firstSequence: number): Buffer[] {
  const values = lacingOf(packet);
  const pages: Buffer[] = [];
  for (let v = 0, at = 0; v < values.length; ) {
    const lacing = values.slice(v, v + 255);
    const bytes = lacing.reduce((sum, value) => sum + value, 0);
    const ends = v + lacing.length === values.length;
    const flags = v === 0 ? 0 : 1; // continued packet
    pages.push(
      rawPage(
        lacing,
        packet.subarray(at, at + bytes),
        flags,
        ends ? 0 : -1,
        serial,
        firstSequence + pages.length,
      ),
    );
    v += lacing.length;
    at += bytes;
  }
  return pages;
}

export function encodeSilentOpus(audio: Waveform, metadata: SavedMetadata): Buffer {
  // save_audio's rate for Opus: at most 48 kHz, else the next supported rate up.
  const rate = OPUS_RATES.find((r) => r >= Math.min(audio.sampleRate, 48_000)) ?? 48_000;
  const samples = Math.ceil(((audio.channels[0]?.length ?? 0) * rate) / audio.sampleRate);
  const at48k = (samples * 48_000) / rate;
  const stereo = audio.channels.length > 1;
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1;
  head[9] = stereo ? 2 : 1;
  head.writeUInt16LE(PRE_SKIP, 10);
  head.writeUInt32LE(rate, 12);
  const text = (value: string) => {
    const bytes = Buffer.from(value, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.length, 0);
    return [length, bytes];
  };
  const comments = [...metadata, ['encoder', LAVF_VENDOR]].map(([k, v]) => `${k}=${v}`);
  const count = Buffer.alloc(4);
  count.writeUInt32LE(comments.length, 0);
  const tags = Buffer.concat([
    Buffer.from('OpusTags', 'latin1'),
    ...text(LAVF_VENDOR),
    count,
    ...comments.flatMap(text),
  ]);
  const serial = 0x636f6d66; // any; FFmpeg picks one at random
  const pages = [page([head], 2, 0, serial, 0), ...pagesOf(tags, serial, 1)];
  // CELT, fullband, 20 ms, one frame (TOC config 31), then the range coder's silence flag.
  const silence = Buffer.from([0xf8 | (stereo ? 0x04 : 0), 0xff, 0xfe]);
  const packets = Math.ceil((at48k + PRE_SKIP) / PACKET_SAMPLES);
  for (let first = 0; first < packets; first += PACKETS_PER_PAGE) {
    const inPage = Math.min(PACKETS_PER_PAGE, packets - first);
    const last = first + inPage === packets;
    const granule = last ? PRE_SKIP + at48k : (first + inPage) * PACKET_SAMPLES;
    pages.push(page(Array(inPage).fill(silence), last ? 4 : 0, granule, serial, pages.length));
  }
  return Buffer.concat(pages);
}
