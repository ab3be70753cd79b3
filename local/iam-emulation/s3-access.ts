import type { AccessRequest } from './policy-evaluator';
import { type ArnScope, field, operationOf, type SdkCall, UnmappedCallError } from './sdk-call';

const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

const target = (call: SdkCall) => objectArn(field(call, 'Bucket'), field(call, 'Key'));

/** `CopySource` is `bucket/key` (a leading slash allowed), the key percent-encoded, maybe `?versionId=`. */
function copySourceArn(call: SdkCall): string {
  const source = field(call, 'CopySource')
    .replace(/^\//, '')
    .replace(/\?versionId=.*$/, '');
  const slash = source.indexOf('/');
  if (slash <= 0) throw new UnmappedCallError(call, `CopySource ${source} names no object`);
  return objectArn(source.slice(0, slash), decodeURIComponent(source.slice(slash + 1)));
}

/** Which object action each object operation needs (multipart parts are all s3:PutObject). */
const OBJECT_ACTIONS: Record<string, string> = {
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  ListParts: 's3:ListMultipartUploadParts',
  DeleteObject: 's3:DeleteObject',
  GetObjectTagging: 's3:GetObjectTagging',
  PutObjectTagging: 's3:PutObjectTagging',
};

/**
 * ListObjects(V2) is s3:ListBucket on the bucket, with the listing's parameters as condition keys
 * (a parameter not sent is an absent key: `StringLike s3:prefix` then does not hold).
 */
function listing(call: SdkCall): AccessRequest {
  const optional = (name: string) => {
    const value = call.input[name];
    return value === undefined || value === null ? undefined : String(value);
  };
  return {
    action: 's3:ListBucket',
    resource: bucketArn(field(call, 'Bucket')),
    conditionKeys: {
      's3:prefix': optional('Prefix'),
      's3:delimiter': optional('Delimiter'),
      's3:max-keys': optional('MaxKeys'),
    },
  };
}

/**
 * S3: object operations on `arn:aws:s3:::bucket/key`, listings on the bucket. A presigned URL is
 * no call (the middleware never sees one); what the URL's holder later does is checked by S3
 * against the signer's policy, which is why the signing function needs the action itself.
 */
export function s3Access(call: SdkCall, _scope: ArnScope): AccessRequest[] {
  const operation = operationOf(call);
  const action = OBJECT_ACTIONS[operation];
  if (action) return [{ action, resource: target(call) }];
  switch (operation) {
    case 'CopyObject':
    case 'UploadPartCopy':
      return [
        { action: 's3:GetObject', resource: copySourceArn(call) },
        { action: 's3:PutObject', resource: target(call) },
      ];
    case 'DeleteObjects': {
      const bucket = field(call, 'Bucket');
      const objects = (call.input.Delete as { Objects?: { Key?: string }[] } | undefined)?.Objects ?? [];
      // S3 answers 200 and lists each refused key under Errors; refusing the call is louder.
      return objects.map((object) => ({
        action: 's3:DeleteObject',
        resource: objectArn(bucket, field(call, 'Key', object)),
      }));
    }
    case 'ListObjects':
    case 'ListObjectsV2':
      return [listing(call)];
    case 'ListMultipartUploads':
      return [{ action: 's3:ListBucketMultipartUploads', resource: bucketArn(field(call, 'Bucket')) }];
    default:
      throw new UnmappedCallError(call);
  }
}
