import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ControlPlaneResources } from './function-statements';
import { PAYLOAD_PREFIXES } from './payload-bucket';

type ModelLibraryFunction =
  | 'start-model-upload'
  | 'complete-model-upload'
  | 'list-models'
  | 'delete-model'
  | 'import-model';

/**
 * The model library's functions: `models/` and the imports beside it (`model-imports/`), the
 * imports' queue and the gated hosts' tokens (read only). Multipart uploads (create, parts,
 * complete) are all s3:PutObject; HeadObject is s3:GetObject; ListParts is
 * s3:ListMultipartUploadParts.
 */
export function modelLibraryStatements(
  name: ModelLibraryFunction,
  r: ControlPlaneResources,
  helpers: {
    objects(actions: string[], ...prefixes: string[]): PolicyStatement;
    listing(...prefixes: string[]): PolicyStatement;
  },
): PolicyStatement[] {
  const { objects, listing } = helpers;
  const { models, modelImports } = PAYLOAD_PREFIXES;
  const sourceTokens = new PolicyStatement({
    actions: ['secretsmanager:GetSecretValue'],
    resources: [r.modelSourceTokensArn],
  });
  /** Which uploads of a model are open (S3's ListMultipartUploads is a bucket action). */
  const openUploads = new PolicyStatement({
    actions: ['s3:ListBucketMultipartUploads'],
    resources: [r.bucketArn],
  });
  const queue = (...actions: string[]) =>
    new PolicyStatement({ actions: actions.map((a) => `sqs:${a}`), resources: [r.modelImportQueueArn] });
  switch (name) {
    // An upload (`size`), or an import (`source`): the probe's token, an earlier import's state and
    // parts (is it still running?), the staged upload, the part jobs queued.
    case 'start-model-upload':
      return [
        objects(['PutObject', 'GetObject'], models),
        objects(['PutObject', 'GetObject', 'AbortMultipartUpload', 'ListMultipartUploadParts'], modelImports),
        openUploads,
        sourceTokens,
        queue('SendMessage'),
      ];
    // A part (ranged GET → UploadPart) or the finish: assemble, hash, copy into the library.
    case 'import-model':
      return [
        objects(
          ['GetObject', 'PutObject', 'DeleteObject', 'AbortMultipartUpload', 'ListMultipartUploadParts'],
          modelImports,
        ),
        // GetObject: is a model of that name there (never replaced unasked); DeleteObject: a
        // DELETE that raced the copy into the library wins.
        objects(['GetObject', 'PutObject', 'DeleteObject', 'AbortMultipartUpload'], models),
        openUploads,
        sourceTokens,
        queue('SendMessage', 'ChangeMessageVisibility'),
      ];
    case 'complete-model-upload':
      return [objects(['PutObject', 'GetObject', 'DeleteObject'], models)];
    // GetModel: an import's state and the parts it has so far.
    case 'list-models':
      return [
        listing(models),
        objects(['GetObject'], models),
        objects(['GetObject', 'ListMultipartUploadParts'], modelImports),
      ];
    // DELETE stops an import still running (its parts listed to tell; its upload aborted).
    case 'delete-model':
      return [
        objects(['GetObject', 'DeleteObject'], models),
        objects(
          ['GetObject', 'DeleteObject', 'AbortMultipartUpload', 'ListMultipartUploadParts'],
          modelImports,
        ),
      ];
  }
}
