import { describe, expect, it } from 'vitest';
import { modelNameProblem } from '../../../lambda/domain/models/model-folders';
import {
  MAX_PARTS,
  MIN_PART_BYTES,
  PREFERRED_PART_BYTES,
  planParts,
} from '../../../lambda/domain/models/multipart-plan';
import { MultipartLedger } from '../../../local/s3-multipart-ledger';

describe('model names', () => {
  it.each([
    ['checkpoints', 'v1-5-pruned-emaonly.safetensors'],
    ['loras', 'sdxl/detail tweaker.safetensors'],
    ['configs', 'v1-inference.yaml'],
    ['upscale_models', 'RealESRGAN_x4plus.pth'],
    ['clip', 'clip_l.safetensors'],
  ])('accepts %s/%s', (folder, name) => expect(modelNameProblem(folder, name)).toBeUndefined());

  it.each([
    ['nope', 'x.safetensors', "folder 'nope' is not a ComfyUI model folder"],
    ['loras', '../checkpoints/x.safetensors', "'..' path segments"],
    ['loras', 'a/./x.safetensors', "'..' path segments"],
    ['loras', '/etc/x.safetensors', 'not absolute'],
    ['loras', 'a//x.safetensors', 'empty'],
    ['loras', 'a\\x.safetensors', 'backslashes'],
    ['loras', 'x\u0000.safetensors', 'NUL'],
    ['loras', 'x.exe', 'must end with one of'],
    ['configs', 'x.safetensors', '.yaml'],
    ['loras', `${'a'.repeat(1100)}.safetensors`, 'longer than 900 bytes'],
    // Stored as models/loras/{name}: near 1,024 bytes the key passed S3's limit (a 500).
    ['loras', `${'a'.repeat(1000)}.safetensors`, 'longer than 900 bytes'],
    ['loras', `sdxl/${'a'.repeat(200)}.safetensors`, 'longer than 200 bytes'],
  ])('refuses %s/%s', (folder, name, why) => expect(modelNameProblem(folder, name)).toContain(why));
});

describe('multipart plans', () => {
  it('uses the preferred part size, the last part carrying the rest', () => {
    expect(planParts(PREFERRED_PART_BYTES * 2 + 10)).toEqual({
      partSize: PREFERRED_PART_BYTES,
      parts: [PREFERRED_PART_BYTES, PREFERRED_PART_BYTES, 10],
    });
    expect(planParts(1).parts).toEqual([1]);
  });

  it('grows parts so that 10,000 of them hold the largest model, and never goes under 5 MiB', () => {
    const size = 5 * 1024 ** 4;
    const plan = planParts(size);
    expect(plan.parts.length).toBeLessThanOrEqual(MAX_PARTS);
    expect(plan.parts.reduce((a, b) => a + b, 0)).toBe(size);
    expect(planParts(20 * 1024 ** 2, 1).partSize).toBe(MIN_PART_BYTES);
  });
});

describe("the local S3's multipart checks (what S3 refuses and s3rver does not)", () => {
  const ledger = () => {
    const l = new MultipartLedger();
    l.opened('u1', 'b', 'models/loras/x.safetensors');
    l.partStored('u1', 1, '"aaa"', MIN_PART_BYTES);
    l.partStored('u1', 2, 'bbb', 10);
    return l;
  };
  const body = (...parts: [number, string][]) =>
    `<CompleteMultipartUpload>${parts.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>"${e}"</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

  it('accepts the uploaded parts in order', () => {
    expect(ledger().completionProblem('u1', body([1, 'aaa'], [2, 'bbb']))).toBeUndefined();
  });

  it.each([
    ['an unknown upload', 'u2', body([1, 'aaa']), 'NoSuchUpload'],
    ['a wrong ETag', 'u1', body([1, 'zzz'], [2, 'bbb']), 'InvalidPart'],
    ['a part never uploaded', 'u1', body([1, 'aaa'], [3, 'ccc']), 'InvalidPart'],
    ['parts out of order', 'u1', body([2, 'bbb'], [1, 'aaa']), 'InvalidPartOrder'],
    ['a small part before the last', 'u1', body([2, 'bbb'], [3, 'x']), 'EntityTooSmall'],
    ['no parts', 'u1', '<CompleteMultipartUpload></CompleteMultipartUpload>', 'MalformedXML'],
  ])('refuses %s', (_what, upload, xml, code) => {
    const l = ledger();
    l.partStored('u1', 3, 'x', 1);
    expect(l.completionProblem(upload, xml)?.code).toBe(code);
  });
});
