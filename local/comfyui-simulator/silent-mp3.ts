import { LAVF_VENDOR } from './flac-encoder';
import type { SavedMetadata } from './saved-metadata';
import type { Waveform } from './wav-pcm';

/**
 * SaveAudioMP3's file as ComfyUI writes it through PyAV (libmp3lame, FFmpeg's mp3 muxer; checked
 * against test/fixtures/real-comfyui/audio.mp3 of ComfyUI 0.3.64): an ID3v2.4 tag (a TXXX frame per
 * metadata pair, TSSE, 10 bytes of padding), a Xing/LAME frame, then the audio frames, as many as
 * LAME makes of the samples (its 576 + 529 samples of delay included). The simulator has no MP3
 * encoder: its frames are silent (all-zero side information), of the real rate, channels and length.
 */
const SAMPLE_RATES: Record<number, [version: number, index: number]> = {
  44100: [3, 0],
  48000: [3, 1],
  32000: [3, 2],
  22050: [2, 0],
  24000: [2, 1],
  16000: [2, 2],
  11025: [0, 0],
  12000: [0, 1],
  8000: [0, 2],
};
const KBPS = {
  mpeg1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  mpeg2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const LAME_DELAY = 576;
const XING_BAGS = 400;

function syncsafe(value: number): Buffer {
  return Buffer.from([(value >> 21) & 0x7f, (value >> 14) & 0x7f, (value >> 7) & 0x7f, value & 0x7f]);
}

function id3Frame(id: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(id, 'latin1'), syncsafe(body.length), Buffer.alloc(2), body]);
}

function id3Tag(metadata: SavedMetadata): Buffer {
  const utf8 = (text: string) => Buffer.from(`${text}\0`, 'utf8');
  const frames = [
    ...metadata.map(([key, text]) =>
      id3Frame('TXXX', Buffer.concat([Buffer.from([3]), utf8(key), utf8(text)])),
    ),
    id3Frame('TSSE', Buffer.concat([Buffer.from([3]), utf8(LAVF_VENDOR)])),
    Buffer.alloc(10),
  ];
  const body = Buffer.concat(frames);
  return Buffer.concat([Buffer.from('ID3\x04\x00\x00', 'latin1'), syncsafe(body.length), body]);
}

/** LAME's CRC-16 (reflected 0x8005, as FFmpeg's AV_CRC_16_ANSI_LE). */
function crc16(bytes: Buffer, crc = 0): number {
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export function encodeSilentMp3(audio: Waveform, metadata: SavedMetadata): Buffer {
  const rate = SAMPLE_RATES[audio.sampleRate];
  if (!rate) throw new Error(`libmp3lame: sample rate ${audio.sampleRate} is not supported by MP3`);
  const [version, rateIndex] = rate;
  const mono = audio.channels.length === 1;
  const mpeg1 = version === 3;
  const perFrame = mpeg1 ? 1152 : 576;
  const sideInfo = mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17;
  const sizeOf = (kbps: number) => Math.floor(((mpeg1 ? 144 : 72) * kbps * 1000) / audio.sampleRate);
  const header = (bitrateIndex: number, original: number) =>
    Buffer.from([
      0xff,
      0xe0 | (version << 3) | (1 << 1) | 1, // layer III, no CRC
      (bitrateIndex << 4) | (rateIndex << 2),
      (mono ? 0xc0 : 0) | (original << 2),
    ]);
  const samples = audio.channels[0]?.length ?? 0;
  const count = Math.ceil((samples + LAME_DELAY + 529) / perFrame);
  const silent = Buffer.concat([header(1, 1), Buffer.alloc(sizeOf(KBPS[mpeg1 ? 'mpeg1' : 'mpeg2'][1]!) - 4)]);
  // FFmpeg's Xing frame: the lowest bitrate whose frame holds the Xing and LAME tags.
  const needed = 4 + sideInfo + 4 + 4 + 4 + 4 + 100 + 4 + 36;
  const table = KBPS[mpeg1 ? 'mpeg1' : 'mpeg2'];
  const xingIndex = table.findIndex((kbps, index) => index > 0 && sizeOf(kbps) >= needed);
  const xing = Buffer.alloc(sizeOf(table[xingIndex]!));
  header(xingIndex, 0).copy(xing, 0);
  const size = xing.length + count * silent.length;
  // mp3enc.c's seek table: the byte position after every `want`-th frame, halved when full.
  let bag: number[] = [];
  for (let frame = 1, want = 1, seen = 0; frame <= count; frame++) {
    if (++seen < want) continue;
    bag.push(xing.length + frame * silent.length);
    seen = 0;
    if (bag.length === XING_BAGS) {
      bag = bag.filter((_, i) => i % 2 === 1);
      want *= 2;
    }
  }
  let at = 4 + sideInfo;
  at = xing.write('Xing', at, 'latin1') + at;
  for (const value of [0x0f, count, size]) at = xing.writeUInt32BE(value, at);
  for (let i = 0; i < 100; i++)
    xing[at + i] =
      i === 0 ? 0 : Math.min(255, Math.floor((256 * bag[Math.floor((i * bag.length) / 100)]!) / size));
  at += 104; // the table, then quality 0
  const lame = at;
  xing.write('Lavf', at, 'latin1');
  at += 9 + 1 + 1 + 8 + 1 + 1;
  const padding = count * perFrame - samples - LAME_DELAY;
  xing.writeUIntBE(LAME_DELAY * 4096 + padding, at, 3);
  at += 3 + 1 + 1 + 2;
  xing.writeUInt32BE(size, at);
  const music = Buffer.concat(Array.from({ length: count }, () => silent));
  xing.writeUInt16BE(crc16(music), at + 4);
  xing.writeUInt16BE(crc16(xing.subarray(0, lame + 36 - 2)), at + 6);
  return Buffer.concat([id3Tag(metadata), xing, music]);
}
