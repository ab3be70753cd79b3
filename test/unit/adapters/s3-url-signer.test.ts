import { GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { GetObjectUrlSigner, parseUrlTemplate, TEMPLATE_KEY } from '../../../lambda/adapters/s3-url-signer';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const signingDate = new Date('2026-12-04T10:20:30Z');

const KEYS = [
  'executes/9f1c1f7e-8d0e-4c36-9a51-0d2f0e1f6a11/outputs/9/ComfyUI_00001_.png',
  'executes/a b/c+d/ü漢字/x.png',
  "executes/x/!'()*~-_.;,:@&=$/y.webp",
  'executes/x/%41%2F/100%.png',
  'executes//double//slash/',
  'executes/x/../escape?.png#frag',
];

const CLIENTS: Record<string, S3ClientConfig> = {
  'virtual-hosted, us-east-1': { region: 'us-east-1', credentials },
  'virtual-hosted, eu-central-1, session token': {
    region: 'eu-central-1',
    credentials: { ...credentials, sessionToken: 'IQoJb3JpZ2luX2VjEJr//////////session+token=' },
  },
  'path-style, custom endpoint (the local stack)': {
    region: 'us-east-1',
    credentials,
    forcePathStyle: true,
    endpoint: 'http://127.0.0.1:4569',
  },
  'bucket name only path-style can address': { region: 'us-west-2', credentials },
};

describe('GetObjectUrlSigner', () => {
  for (const [name, config] of Object.entries(CLIENTS)) {
    it(`returns the URLs getSignedUrl returns, byte for byte: ${name}`, async () => {
      const s3 = new S3Client(config);
      const bucket = name.startsWith('bucket name') ? 'comfy.exec.payloads' : 'comfy-exec-payloads';
      const signer = new GetObjectUrlSigner(s3);
      for (const key of KEYS) {
        for (const ttl of [1, 3600, 604_800]) {
          const expected = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
            expiresIn: ttl,
            signingDate,
          });
          expect(await signer.sign(bucket, key, ttl, signingDate), `${key} (${ttl} s)`).toBe(expected);
        }
      }
    });
  }

  it('signs each key on its own: another key, another signature, the same scope', async () => {
    const signer = new GetObjectUrlSigner(new S3Client(CLIENTS['virtual-hosted, us-east-1']!));
    const [a, b] = await Promise.all([
      signer.sign('bucket-a', 'executes/1/a.png', 60, signingDate),
      signer.sign('bucket-a', 'executes/1/b.png', 60, signingDate),
    ]);
    expect(new URL(a).pathname).toBe('/executes/1/a.png');
    expect(new URL(b).pathname).toBe('/executes/1/b.png');
    expect(new URL(a).searchParams.get('X-Amz-Signature')).not.toBe(
      new URL(b).searchParams.get('X-Amz-Signature'),
    );
  });
});

describe('parseUrlTemplate', () => {
  const sigv4 = (host: string, path: string, extra = '') =>
    `https://${host}${path}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261204%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261204T000000Z&X-Amz-Expires=60&X-Amz-Signature=abc&X-Amz-SignedHeaders=host&x-id=GetObject${extra}`;

  it('keeps the endpoint, the path before the key and the query beside the signature', () => {
    expect(parseUrlTemplate(sigv4('b.s3.us-east-1.amazonaws.com', `/${TEMPLATE_KEY}`))).toEqual({
      protocol: 'https:',
      hostname: 'b.s3.us-east-1.amazonaws.com',
      port: undefined,
      pathPrefix: '/',
      query: { 'x-id': 'GetObject' },
      signingRegion: 'us-east-1',
      signingService: 's3',
    });
  });

  it('leaves to the SDK what it cannot sign the same way', () => {
    // SigV4a (multi-region access points), S3 Express session auth, a layout it did not expect.
    expect(
      parseUrlTemplate(
        sigv4('b.s3.amazonaws.com', `/${TEMPLATE_KEY}`).replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256'),
      ),
    ).toBeUndefined();
    expect(
      parseUrlTemplate(
        sigv4('b--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com', `/${TEMPLATE_KEY}`).replace(
          '%2Fs3%2F',
          '%2Fs3express%2F',
        ),
      ),
    ).toBeUndefined();
    expect(
      parseUrlTemplate(sigv4('b.s3.amazonaws.com', `/${TEMPLATE_KEY}`, '&X-Amz-S3session-Token=t')),
    ).toBeUndefined();
    expect(parseUrlTemplate(sigv4('b.s3.amazonaws.com', `/${TEMPLATE_KEY}/suffix`))).toBeUndefined();
  });
});
