import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3InputStore } from '../../../lambda/adapters/s3-input-store';
import { S3ModelLibrary } from '../../../lambda/adapters/s3-model-library';
import { S3NodeCatalogSource } from '../../../lambda/adapters/s3-node-catalog';
import { S3PayloadStore } from '../../../lambda/adapters/s3-payload-store';
import { literalKey, UnsafeObjectKeyError } from '../../../lambda/adapters/s3-uri';

/** An S3 client that records every command: the backstop must refuse before any is sent. */
function recordingS3() {
  const sent: unknown[] = [];
  const s3 = {
    send: async (command: unknown) => {
      sent.push(command);
      return {};
    },
    config: {},
  } as unknown as S3Client;
  return { s3, sent };
}

const BAD_KEYS = [
  'inputs/b/../a/in-x-cat.png',
  'inputs/b/./in-x-cat.png',
  'inputs/b//in-x-cat.png',
  '/inputs/b/in-x-cat.png',
  'inputs\\b\\..\\a\\in-x-cat.png',
  'inputs/b/..',
];

describe('the S3 adapters refuse any key whose normalised form differs (a backstop under the use cases)', () => {
  it.each(BAD_KEYS)('literalKey refuses %j', (key) => {
    expect(() => literalKey(key)).toThrow(UnsafeObjectKeyError);
  });

  it('passes ordinary keys and listing prefixes', () => {
    expect(literalKey('executes/1/outputs/9/ComfyUI_00001_.png')).toBe(
      'executes/1/outputs/9/ComfyUI_00001_.png',
    );
    expect(literalKey('inputs/b/', { prefix: true })).toBe('inputs/b/');
    expect(() => literalKey('')).toThrow(UnsafeObjectKeyError);
  });

  it('S3PayloadStore: get, head, delete, copy, list, presign and staging', async () => {
    const { s3, sent } = recordingS3();
    const store = new S3PayloadStore(s3, 'bucket');
    for (const key of BAD_KEYS) {
      const uri = `s3://bucket/${key}`;
      await expect(store.getBytes(uri)).rejects.toThrow(UnsafeObjectKeyError);
      await expect(store.getText(uri)).rejects.toThrow(UnsafeObjectKeyError);
      await expect(store.headObject(uri)).rejects.toThrow(UnsafeObjectKeyError);
      await expect(store.deleteObject(uri)).rejects.toThrow(UnsafeObjectKeyError);
      await expect(store.copyObject(uri, 's3://bucket/inputs/b/x.png')).rejects.toThrow(UnsafeObjectKeyError);
      await expect(store.copyObject('s3://bucket/inputs/b/x.png', uri)).rejects.toThrow(UnsafeObjectKeyError);
      await expect(store.presignGet(uri, 60)).rejects.toThrow(UnsafeObjectKeyError);
    }
    await expect(store.listUnder('s3://bucket/inputs/b/../a/', 10)).rejects.toThrow(UnsafeObjectKeyError);
    await expect(
      store.putInputFile(
        '00000000-0000-4000-8000-000000000001',
        'f'.repeat(64),
        '../../x.png',
        new Uint8Array(),
      ),
    ).rejects.toThrow(UnsafeObjectKeyError);
    expect(sent).toEqual([]);
  });

  it("S3InputStore: a name that would leave the owner's prefix", async () => {
    const { s3, sent } = recordingS3();
    const store = new S3InputStore(s3, s3, 'bucket', 30);
    for (const name of [
      '../other/in-x-cat.png',
      'in-x-/../../other/in-x-cat.png',
      '.',
      '',
      'a//b.png',
      'a\\b.png',
    ]) {
      await expect(store.find('key-b', name)).rejects.toThrow(UnsafeObjectKeyError);
      await expect(store.delete('key-b', name)).rejects.toThrow(UnsafeObjectKeyError);
      await expect(store.put('key-b', name, new Uint8Array(), 'image/png')).rejects.toThrow(
        UnsafeObjectKeyError,
      );
      await expect(
        store.presignUpload('key-b', name, { filename: 'x.png', contentType: 'image/png', size: 1 }, 60),
      ).rejects.toThrow(UnsafeObjectKeyError);
      expect(() => store.uriOf('key-b', name)).toThrow(UnsafeObjectKeyError);
    }
    expect(sent).toEqual([]);
  });

  it('S3ModelLibrary and S3NodeCatalogSource', async () => {
    const { s3, sent } = recordingS3();
    const library = new S3ModelLibrary(s3, s3, 'bucket');
    await expect(library.find('loras', '../../inputs/b/x.safetensors')).rejects.toThrow(UnsafeObjectKeyError);
    await expect(library.delete('loras', 'a/./x.safetensors')).rejects.toThrow(UnsafeObjectKeyError);
    await expect(
      library.startUpload({ folder: '..', name: 'x.safetensors', size: 1 } as never),
    ).rejects.toThrow(UnsafeObjectKeyError);
    await expect(library.list({ folder: '../inputs', limit: 10 })).rejects.toThrow(UnsafeObjectKeyError);
    const catalogs = new S3NodeCatalogSource(s3, 'bucket', () => ({}));
    await expect(catalogs.forEndpoint('../inputs/b')).rejects.toThrow(UnsafeObjectKeyError);
    expect(sent).toEqual([]);
  });
});
