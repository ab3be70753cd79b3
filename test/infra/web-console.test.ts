import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthFast } from './app-template';

let t: ReturnType<typeof synthFast>;
beforeAll(() => {
  t = synthFast();
});

describe('the web console in CDK', () => {
  it('is a private bucket behind CloudFront with origin access control, HTTPS only', () => {
    t.controlPlane.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    t.controlPlane.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    t.controlPlane.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
      }),
    });
    t.controlPlane.hasOutput('ConsoleUrl', Match.anyValue());
    // The deployment leaves its files behind and CloudFormation deletes only empty buckets.
    t.controlPlane.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
  });

  it('sends a strict Content-Security-Policy and the other security headers', () => {
    const [policy] = Object.values(
      t.controlPlane.findResources('AWS::CloudFront::ResponseHeadersPolicy'),
    ) as any[];
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
    expect(headers.ReferrerPolicy.ReferrerPolicy).toBe('no-referrer');
    expect(headers.StrictTransportSecurity.AccessControlMaxAgeSec).toBe(31_536_000);
  });

  it('deploys the built files with a config.json naming the API', () => {
    const [deploy] = Object.values(t.controlPlane.findResources('Custom::CDKBucketDeployment')) as any[];
    expect(deploy.Properties.SourceObjectKeys).toHaveLength(2);
    // config.json's apiUrl is the REST API's URL, filled in at deploy time (a marker in the asset).
    expect(JSON.stringify(deploy.Properties.SourceMarkers)).toMatch(/ExecutesApi[0-9A-F]+/);
  });
});
