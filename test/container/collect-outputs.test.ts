import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { collectOutputs, UPLOAD_ATTEMPTS, UPLOAD_CONCURRENCY } from '../../container/src/collect-outputs';
import type { ComfyUiClient, FileRef } from '../../container/src/comfy-client';

/** A ComfyUI whose /view answers only when the test releases that file, so the order is the test's. */
function heldComfy() {
  const waiting = new Map<string, () => void>();
  const asked: string[] = [];
  let wake: () => void = () => undefined;
  const comfy = {
    view: (file: FileRef) => {
      asked.push(file.filename);
      wake();
      return new Promise<Response>((resolve) => {
        waiting.set(file.filename, () =>
          resolve(
            file.filename.startsWith('broken')
              ? new Response('gone', { status: 404 })
              : new Response(`bytes of ${file.filename}`, { headers: { 'content-type': 'image/png' } }),
          ),
        );
      });
    },
  } as unknown as ComfyUiClient;
  /** Resolves once `count` files have been asked for. */
  const askedFor = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () => (asked.length >= count ? resolve() : undefined);
      wake = check;
      check();
    });
  const release = (filename: string) => waiting.get(filename)!();
  return { comfy, asked, askedFor, release };
}

const images = (names: string[]) => ({
  images: names.map((filename) => ({ filename, subfolder: '', type: 'output' })),
});

/** collectOutputs of `outputs` from the held ComfyUI into a mocked S3, noting each file stored. */
function collectHeld(outputs: Record<string, Record<string, unknown>>) {
  const s3 = new S3Client({ region: 'us-east-1' });
  mockClient(s3).on(PutObjectCommand).resolves({});
  const held = heldComfy();
  const stored: string[] = [];
  const collecting = collectOutputs('p', outputs, {
    comfy: held.comfy,
    s3,
    bucket: 'b',
    fileTimeoutMs: 1000,
    onStored: (file) => stored.push(file.filename),
  });
  return { held, stored, collecting };
}

describe('collectOutputs', () => {
  it(`uploads up to ${UPLOAD_CONCURRENCY} files at once and keeps ComfyUI's order whatever ends first`, async () => {
    const names = Array.from({ length: 6 }, (_, n) => `ComfyUI_0000${n + 1}_.png`);
    const { held, stored, collecting } = collectHeld({ '9': images(names), '7': { text: ['hi'] } });
    await held.askedFor(UPLOAD_CONCURRENCY);
    expect(held.asked).toHaveLength(UPLOAD_CONCURRENCY); // no more until one ends
    for (const name of [...names].reverse().slice(2)) held.release(name); // 6 and 5 are not asked yet
    await held.askedFor(6);
    for (const name of names.slice(4).reverse()) held.release(name);
    const collected = await collecting;
    expect(collected.output_files).toEqual(names.map((name) => `9/${name}`));
    expect((collected.outputs['9']!.images as { key: string }[]).map((item) => item.key)).toEqual(
      names.map((name) => `9/${name}`),
    );
    expect(collected.outputs['7']).toEqual({ text: ['hi'] });
    expect([...stored].sort()).toEqual([...names].sort());
    // Every file's bytes, though they were put side by side (the usage table counts them).
    expect(collected.output_bytes).toBe(names.reduce((sum, name) => sum + `bytes of ${name}`.length, 0));
  });

  it('after a failed file starts no more, lets those under way end, and fails with the first reason', async () => {
    const names = ['broken_1.png', 'a.png', 'b.png', 'c.png', 'd.png', 'e.png'];
    const { held, stored, collecting } = collectHeld({ '9': images(names) });
    await held.askedFor(UPLOAD_CONCURRENCY);
    held.release('broken_1.png');
    for (const name of ['a.png', 'b.png', 'c.png']) held.release(name);
    await expect(collecting).rejects.toThrow("ComfyUI /view answered 404 for output file 'broken_1.png'");
    expect(held.asked).toEqual(names.slice(0, UPLOAD_CONCURRENCY));
    expect(stored.sort()).toEqual(['a.png', 'b.png', 'c.png']);
  });

  it('leaves a file the run did not make (a reference the prompt carried) unfetched, as a value', async () => {
    const s3 = new S3Client({ region: 'us-east-1' });
    mockClient(s3).on(PutObjectCommand).resolves({});
    const asked: string[] = [];
    const comfy = {
      view: async (file: FileRef) => {
        asked.push(file.filename);
        return new Response('bytes', { headers: { 'content-type': 'image/png' } });
      },
    } as unknown as ComfyUiClient;
    const stolen = { filename: 'secret_00001_.png', subfolder: 'private', type: 'output' };
    const collected = await collectOutputs(
      'p',
      { '1': { result: ['x.glb', stolen] }, '2': images(['own_00001_.png']) },
      { comfy, s3, bucket: 'b', fileTimeoutMs: 1000, isRunFile: (file) => file.filename !== stolen.filename },
    );
    expect(asked).toEqual(['own_00001_.png']);
    expect(collected.output_files).toEqual(['2/own_00001_.png']);
    expect(collected.outputs['1']).toEqual({ result: ['x.glb', stolen] });
  });

  it('fetches and puts a file again when the connection drops under its PUT, and only then', async () => {
    const s3 = new S3Client({ region: 'us-east-1' });
    const dropped = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    mockClient(s3).on(PutObjectCommand).rejectsOnce(dropped).resolves({});
    const asked: string[] = [];
    const comfy = {
      view: async (file: FileRef) => {
        asked.push(file.filename);
        return new Response('bytes', { headers: { 'content-type': 'image/png', 'content-length': '5' } });
      },
    } as unknown as ComfyUiClient;
    const deps = { comfy, s3, bucket: 'b', fileTimeoutMs: 1000 };
    const collected = await collectOutputs('p', { '9': images(['a.png']) }, deps);
    expect(collected.output_files).toEqual(['9/a.png']);
    expect(asked).toEqual(['a.png', 'a.png']);

    const refusing = new S3Client({ region: 'us-east-1' });
    mockClient(refusing)
      .on(PutObjectCommand)
      .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    asked.length = 0;
    await expect(collectOutputs('p', { '9': images(['b.png']) }, { ...deps, s3: refusing })).rejects.toThrow(
      'Access Denied',
    );
    expect(asked).toEqual(['b.png']);

    const alwaysDropped = new S3Client({ region: 'us-east-1' });
    mockClient(alwaysDropped).on(PutObjectCommand).rejects(dropped);
    asked.length = 0;
    await expect(
      collectOutputs('p', { '9': images(['c.png']) }, { ...deps, s3: alwaysDropped }),
    ).rejects.toThrow('socket hang up');
    expect(asked).toHaveLength(UPLOAD_ATTEMPTS);
  });
});
