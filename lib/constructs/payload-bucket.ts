import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface PayloadBucketProps {
  /** Physical name (stage-config's payloadBucketName). */
  readonly bucketName: string;
  /** Objects (staged requests, outputs, SageMaker's result objects) expire after this many days. */
  readonly retentionDays: number;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** Prefixes the system writes, each expiring with the records that point at them. */
export const PAYLOAD_PREFIXES = {
  executes: 'executes/',
  asyncInference: 'async-inference/',
  endpoints: 'endpoints/',
  /** Uploaded inputs, `inputs/{owner digest}/{name}`, kept as long as records. */
  inputs: 'inputs/',
  /** The model library, `models/{folder}/{name}`: kept until a model writer deletes it. */
  models: 'models/',
  /** Imports from a URL: `{folder}/{name}.json` (state) and `.data` (the staged file), kept as long as records. */
  modelImports: 'model-imports/',
  /** Templates, `templates/{owner digest}/{name}.json`: kept until their owner deletes them. */
  templates: 'templates/',
} as const;

/**
 * The bucket for staged requests, outputs and SageMaker's result objects: private, encrypted,
 * TLS only, expiring objects, with server access logs in a bucket of their own.
 */
export class PayloadBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: PayloadBucketProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const common = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy,
      // CloudFormation deletes only empty buckets: with `destroy`, the stack empties them first
      // (the access logs fill as soon as the payloads are used), or `cdk destroy` would fail.
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    };
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...common,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(Math.max(90, props.retentionDays)) }],
    });
    this.bucket = new Bucket(this, 'Bucket', {
      ...common,
      bucketName: props.bucketName,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'payloads/',
      // Browsers upload inputs straight to their presigned URLs (the signature is the authorisation).
      cors: [
        {
          allowedMethods: [HttpMethods.PUT],
          allowedOrigins: ['*'],
          allowedHeaders: ['content-type', 'content-length'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        { prefix: PAYLOAD_PREFIXES.executes, expiration: Duration.days(props.retentionDays) },
        { prefix: PAYLOAD_PREFIXES.asyncInference, expiration: Duration.days(props.retentionDays) },
        { prefix: PAYLOAD_PREFIXES.inputs, expiration: Duration.days(props.retentionDays) },
        { prefix: PAYLOAD_PREFIXES.modelImports, expiration: Duration.days(props.retentionDays) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }
}
