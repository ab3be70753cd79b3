import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { consoleSecurityHeaders } from '../../console/security-headers';

const DIST = join(import.meta.dirname, '../../console/dist');

export interface WebConsoleProps {
  /** The executes API the console talks to (written into its config.json). */
  readonly apiUrl: string;
}

/**
 * The web console (issue 19): its built files in a private bucket, served by CloudFront through
 * origin access control, HTTPS only, with the same security headers `npm start` sends (a strict
 * Content-Security-Policy: scripts and styles from the console's origin only; the API and S3's
 * pre-signed output URLs allowed by host), and `config.json` naming the API.
 */
export class WebConsole extends Construct {
  readonly url: string;
  readonly files: Bucket;

  constructor(scope: Construct, id: string, props: WebConsoleProps) {
    super(scope, id);
    if (!existsSync(join(DIST, 'index.html')))
      throw new Error('console/dist is missing: run `npm run build -w @comfy-exec/console` (npm ci does)');
    const files = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Built files only, redeployed with every deploy. CloudFormation deletes only an empty
      // bucket and the deployment leaves its files behind, so `cdk destroy` empties it first.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    this.files = files;
    const security = consoleSecurityHeaders({
      api: `https://*.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`,
      files: `https://*.${Aws.URL_SUFFIX}`,
    });
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'comfy-exec console: CSP, no framing, no sniffing, no referrer, HSTS',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: security['Content-Security-Policy']!,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });
    const distribution = new Distribution(this, 'Distribution', {
      comment: 'comfy-exec web console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(files),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
      },
    });
    new BucketDeployment(this, 'Deploy', {
      sources: [Source.asset(DIST), Source.jsonData('config.json', { apiUrl: props.apiUrl })],
      destinationBucket: files,
      distribution,
      distributionPaths: ['/*'],
    });
    this.url = `https://${distribution.distributionDomainName}/`;
  }
}
