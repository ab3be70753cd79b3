import { describe, expect, it } from 'vitest';
import type { ExecuteOutputs } from '../../../lambda/domain/execute-outputs';
import type { ObjectInfo } from '../../../lambda/domain/ports';
import { inlineOutputs } from '../../../lambda/use-cases/inline-outputs';

const record = { output_path: 's3://bucket/executes/p/outputs/', temp_path: 's3://bucket/executes/p/temp/' };

/** Objects by URI, counting every HeadObject and GetObject. */
function objects(sizes: Record<string, number>) {
  const heads: string[] = [];
  const reads: string[] = [];
  const store = {
    headObject: async (uri: string): Promise<ObjectInfo | undefined> => {
      heads.push(uri);
      const size = sizes[uri];
      return size === undefined ? undefined : { size, contentType: 'image/png', metadata: {} };
    },
    getBytes: async (uri: string) => {
      reads.push(uri);
      const size = sizes[uri];
      return size === undefined ? undefined : new Uint8Array(size).fill(7);
    },
  };
  return { store, heads, reads };
}

const item = (key: string, type = 'output') => ({
  filename: key,
  subfolder: '',
  type,
  key,
  url: `https://s3/${key}`,
});

describe('output files inline, bounded', () => {
  it('inlines each file up to the per-file limit, in order until the total is spent; reads only those', async () => {
    const outputs: ExecuteOutputs = {
      '9': { images: [item('a.png'), item('big.png'), item('b.png')] },
      '12': { images: [item('p.png', 'temp'), item('c.png')], text: ['kept as is'] },
    };
    const { store, reads } = objects({
      's3://bucket/executes/p/outputs/a.png': 40,
      's3://bucket/executes/p/outputs/big.png': 101,
      's3://bucket/executes/p/outputs/b.png': 50,
      's3://bucket/executes/p/temp/p.png': 10,
      's3://bucket/executes/p/outputs/c.png': 5,
    });
    const inlined = (await inlineOutputs(outputs, record, store, { perFileBytes: 100, totalBytes: 95 }))!;
    const images = [...(inlined['9']!.images as any[]), ...(inlined['12']!.images as any[])];
    expect(images.map((image) => (image.data ? Buffer.from(image.data, 'base64').length : null))).toEqual([
      40,
      null, // over 100 bytes on its own
      50,
      null, // 40 + 50 spent 90 of 95
      5,
    ]);
    expect(images[0]).toMatchObject({ url: 'https://s3/a.png', content_type: 'image/png', key: 'a.png' });
    expect(inlined['12']!.text).toEqual(['kept as is']);
    expect(reads.sort()).toEqual(
      [
        's3://bucket/executes/p/outputs/a.png',
        's3://bucket/executes/p/outputs/b.png',
        's3://bucket/executes/p/outputs/c.png',
      ].sort(),
    );
    // The outputs given are left as they were.
    expect((outputs['9']!.images as any[])[0].data).toBeUndefined();
  });

  it('skips a file that is gone, and answers null outputs as null', async () => {
    const { store, reads } = objects({});
    const inlined = await inlineOutputs({ '9': { images: [item('gone.png')] } }, record, store);
    expect((inlined!['9']!.images as any[])[0].data).toBeUndefined();
    expect(reads).toEqual([]);
    expect(await inlineOutputs(null, record, store)).toBeNull();
  });
});
