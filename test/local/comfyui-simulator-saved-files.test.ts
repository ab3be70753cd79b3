import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComfyUiSimulator, startComfyUiSimulator } from '../../local/comfyui-simulator/server';
import { decodeWav } from '../../local/comfyui-simulator/wav-pcm';
import {
  decodeVerbatimFlac,
  mpegHeader,
  oggPages,
  pngChunks,
  readFlac,
  readId3,
  xingTag,
} from '../support/media-containers';
import { readFixture, recordRun } from '../support/real-comfyui-recording';

/**
 * The files the simulator's savers write against the files the real ComfyUI 0.3.64 wrote for the
 * same requests (test/fixtures/real-comfyui/README.md): container, format, metadata block by block.
 * Pixels and samples are compared where the simulator computes them (EmptyImage → ImageInvert; a
 * WAV through LoadAudio → FLAC); MP3 and Opus audio is silent in the simulator (it has no encoders).
 */
let sim: ComfyUiSimulator;
const saved = new Map<string, Buffer>();
beforeAll(async () => {
  sim = await startComfyUiSimulator({ stepMs: 1 });
  sim.files.onSave = (item, bytes) => saved.set(`${item.type}/${item.subfolder}/${item.filename}`, bytes);
  writeFileSync(join(sim.files.dir('input'), 'comfy-exec-fixture-tone.wav'), readFixture('tone.wav'));
  for (const name of ['image', 'audio']) expect((await recordRun(sim.url, name)).status).toBe(200);
});
afterAll(() => sim.stop());

const output = (pattern: RegExp) => [...saved].find(([key]) => pattern.test(key))![1];

describe('ComfyUI simulator: saved files as the real server writes them', () => {
  it('SaveImage: an RGB PNG, IHDR then tEXt prompt and workflow (json.dumps text) then IDAT, chunk by chunk', () => {
    const real = pngChunks(readFixture('image.png'));
    const ours = pngChunks(output(/^output\/comfy-exec-fixture\/image_00001_\.png$/));
    expect(ours.map((c) => c.type)).toEqual(real.map((c) => c.type));
    expect(ours.map((c) => c.type)).toEqual(['IHDR', 'tEXt', 'tEXt', 'IDAT', 'IEND']);
    // Width, height, 8 bits, colour type 2 (RGB), no interlace.
    expect(ours[0]!.data).toEqual(real[0]!.data);
    expect(ours[0]!.data.subarray(8, 10)).toEqual(Buffer.from([8, 2]));
    // The texts byte for byte: key order as posted, 2.0, 1e-07, 1e+16, \u escapes of é ✓ 🎨.
    for (const index of [1, 2])
      expect(ours[index]!.data.toString('latin1')).toBe(real[index]!.data.toString('latin1'));
    const pixels = (bytes: Buffer) => PNG.sync.read(bytes).data;
    expect(pixels(output(/image_00001_\.png$/))).toEqual(pixels(readFixture('image.png')));
  });

  it('SaveAudio: FLAC, 16-bit, the rate, channels, length and MD5 of the samples, the same metadata blocks', () => {
    const realBytes = readFixture('audio.flac');
    const oursBytes = output(/^output\/comfy-exec-fixture\/audio_\d{5}_\.flac$/);
    const [real, ours] = [readFlac(realBytes), readFlac(oursBytes)];
    expect(ours.blocks.map((b) => b.type)).toEqual([0, 4, 1]);
    expect(ours.blocks.map((b) => [b.type, b.data.length]).slice(1)).toEqual(
      real.blocks.map((b) => [b.type, b.data.length]).slice(1),
    );
    expect(ours.streamInfo).toEqual(real.streamInfo);
    expect(ours.streamInfo).toMatchObject({
      sampleRate: 16000,
      channels: 2,
      bitsPerSample: 16,
      totalSamples: 1200,
    });
    expect([ours.vendor, ours.comments]).toEqual([real.vendor, real.comments]);
    expect(ours.comments.map((c) => c.split('=')[0])).toEqual(['prompt', 'workflow', 'encoder']);
    // The first frame's header (block size, rate, channels, bits, number, CRC-8) as FFmpeg wrote it.
    expect(oursBytes.subarray(ours.framesAt, ours.framesAt + 6)).toEqual(
      realBytes.subarray(real.framesAt, real.framesAt + 6),
    );
    // The samples are the WAV's: decoded from our frames, and by the MD5 FFmpeg put in the real file.
    const wav = decodeWav(readFixture('tone.wav'))!;
    const decoded = decodeVerbatimFlac(oursBytes);
    const samples = readFixture('tone.wav').subarray(44);
    expect(decoded.map((c) => [...c])).toEqual(
      wav.channels.map((c) => [...c].map((x) => Math.round(x * 32768))),
    );
    expect(createHash('md5').update(samples).digest('hex')).toBe(real.streamInfo.md5);
  });

  it('PreviewAudio: the same FLAC in temp/, under ComfyUI_temp_ and five letters', () => {
    const [key, bytes] = [...saved].find(([k]) => /^temp\/\/ComfyUI_temp_[a-vx-z]{5}_\d{5}_\.flac$/.test(k))!;
    expect(key).toBeDefined();
    expect(bytes.equals(output(/^output\/comfy-exec-fixture\/audio_\d{5}_\.flac$/))).toBe(true);
  });

  it('SaveAudioMP3: the same ID3v2.4 frames, then a Xing frame and MPEG-2 layer III frames for LAME’s length', () => {
    const realBytes = readFixture('audio.mp3');
    const oursBytes = output(/^output\/comfy-exec-fixture\/audio_\d{5}_\.mp3$/);
    const [real, ours] = [readId3(realBytes), readId3(oursBytes)];
    expect(ours.version).toBe(4);
    expect(ours.frames).toEqual(real.frames);
    expect(ours.audioAt).toBe(real.audioAt);
    expect(mpegHeader(oursBytes, ours.audioAt)).toEqual(mpegHeader(realBytes, real.audioAt));
    expect(mpegHeader(oursBytes, ours.audioAt)).toMatchObject({
      version: 2,
      layer: 3,
      sampleRate: 16000,
      channels: 2,
    });
    const xing = (bytes: Buffer, at: number) => xingTag(bytes.subarray(at, at + 400));
    expect(xing(oursBytes, ours.audioAt)).toEqual(xing(realBytes, real.audioAt));
  });

  it('SaveAudioOpus: the same OpusHead and OpusTags, 20 ms packets, the end granule of the real file', () => {
    const real = oggPages(readFixture('audio.opus'));
    const ours = oggPages(output(/^output\/comfy-exec-fixture\/audio_\d{5}_\.opus$/));
    expect(ours.length).toBe(real.length);
    expect(ours[0]!.packets).toEqual(real[0]!.packets);
    expect(ours[1]!.packets).toEqual(real[1]!.packets);
    expect(ours.map((p) => [p.flags, p.granule, p.sequence, p.packets.length])).toEqual(
      real.map((p) => [p.flags, p.granule, p.sequence, p.packets.length]),
    );
    // Every packet: CELT, 20 ms, stereo, one frame (the real encoder's bandwidth is its own).
    for (const packet of [...real.slice(2), ...ours.slice(2)].flatMap((p) => p.packets))
      expect([packet[0]! >> 3 >= 16, (packet[0]! >> 2) & 1, packet[0]! & 3]).toEqual([true, 1, 0]);
  });

  it('keeps the uploaded WAV as it was (the fixture the real server read)', () => {
    expect(
      readFileSync(join(sim.files.dir('input'), 'comfy-exec-fixture-tone.wav')).equals(
        readFixture('tone.wav'),
      ),
    ).toBe(true);
  });
});
