import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestedStack, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_PATH_PATTERNS, ConsoleConstruct } from '../../lib/console/console-construct';
import { MusterStack } from '../../lib/muster-stack';
import { createTestApp, nagFindingsOutsideStandIns, settingsFor } from './support';

const buildDirectory = mkdtempSync(join(tmpdir(), 'muster-console-build-'));
writeFileSync(join(buildDirectory, 'index.html'), '<!doctype html><title>Muster</title>');
afterAll(() => rmSync(buildDirectory, { recursive: true, force: true }));

function consoleStack({ withBuild }: { withBuild: boolean }) {
  const stack = new Stack(createTestApp(), 'Test');
  const restApi = new RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  restApi.root.addMethod('GET');
  const uploadsBucket = new Bucket(stack, 'Uploads', { enforceSSL: true });
  const hosting = new NestedStack(stack, 'ConsoleHosting');
  const construct = new ConsoleConstruct(hosting, 'Console', {
    settings: settingsFor('prod'),
    restApi,
    directAccessBuckets: [uploadsBucket],
    uploadsBucket,
    ...(withBuild ? { assetsDirectory: buildDirectory } : {}),
  });
  return { hosting, construct, uploadsBucket, template: Template.fromStack(hosting) };
}

type Behavior = Record<string, unknown> & { PathPattern?: string; TargetOriginId: string };

describe('ConsoleConstruct', () => {
  const { hosting, construct, uploadsBucket, template } = consoleStack({ withBuild: true });
  const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]?.Properties
    .DistributionConfig as {
    DefaultCacheBehavior: Behavior;
    CacheBehaviors: Behavior[];
    Origins: {
      Id: string;
      S3OriginConfig?: unknown;
      CustomOriginConfig?: { OriginProtocolPolicy: string };
    }[];
  };

  it('keeps the console bucket private, encrypted and reachable over TLS only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({}),
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 's3/' }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('reads the bucket through Origin Access Control, granted to this distribution only', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('sends the console paths to the bucket, through the client-route rewrite', () => {
    const bucketOrigin = config.Origins.find((origin) => origin.S3OriginConfig !== undefined);
    expect(config.DefaultCacheBehavior.TargetOriginId).toBe(bucketOrigin?.Id);
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      FunctionAssociations: [{ EventType: 'viewer-request' }],
    });
  });

  it('sends every API path to API Gateway: uncached, all methods, cookies and headers but Host', () => {
    const apiOrigin = config.Origins.find((origin) => origin.CustomOriginConfig !== undefined);
    expect(apiOrigin?.CustomOriginConfig?.OriginProtocolPolicy).toBe('https-only');
    expect(config.CacheBehaviors.map((behavior) => behavior.PathPattern)).toEqual([...API_PATH_PATTERNS]);
    for (const behavior of config.CacheBehaviors) {
      expect(behavior).toMatchObject({
        TargetOriginId: apiOrigin?.Id,
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        // Managed policies: CachingDisabled, AllViewerExceptHostHeader.
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
      });
    }
  });

  it('puts the security headers on every answer, console and API alike', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: Match.anyValue(), Override: true },
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31_536_000, Override: true }),
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentTypeOptions: { Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'same-origin', Override: true },
        },
      },
    });
    const policies = [config.DefaultCacheBehavior, ...config.CacheBehaviors].map((behavior) =>
      JSON.stringify(behavior.ResponseHeadersPolicyId),
    );
    expect(new Set(policies).size).toBe(1);
    expect(policies[0]).toBeDefined();
  });

  it('lets the page reach the presigned-URL buckets and nothing else off its origin', () => {
    const policy = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0]
      ?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy
      .ContentSecurityPolicy;
    const text = JSON.stringify(policy);
    expect(text).toMatch(/^.*default-src 'self'; script-src 'self'; style-src 'self';/);
    expect(text).toMatch(/connect-src 'self' https:\/\/.*RegionalDomainName/);
    expect(text).toContain("frame-ancestors 'none'");
    expect(text).not.toContain('unsafe');
  });

  it('publishes the build under console/ and invalidates the console paths', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketKeyPrefix: 'console',
      DistributionPaths: ['/console/*'],
      Prune: true,
    });
  });

  it('synthesizes without a web build, with no deployment', () => {
    const unbuilt = consoleStack({ withBuild: false }).template;
    unbuilt.resourceCountIs('Custom::CDKBucketDeployment', 0);
    unbuilt.resourceCountIs('AWS::CloudFront::Distribution', 1);
  });

  it('names the console URL on the distribution', () => {
    expect(hosting.resolve(construct.consoleUrl)).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.any(String), 'DomainName'] }, '/console/']],
    });
  });

  it("lets the console's own origin and the configured ones upload to the uploads bucket", () => {
    const [corsRule, ...others] = Object.values(template.findResources('Custom::AWS'));
    expect(others).toEqual([]);
    // The SDK call is a JSON string joined with the bucket's name and the distribution's domain.
    const distributionId = Object.keys(template.findResources('AWS::CloudFront::Distribution'))[0];
    const call = z
      .object({ 'Fn::Join': z.tuple([z.literal(''), z.array(z.unknown())]) })
      .parse(hosting.resolve(corsRule?.Properties.Create))
      ['Fn::Join'][1].map((part) => {
        if (typeof part === 'string') return part;
        const isDomain =
          JSON.stringify(part) === JSON.stringify({ 'Fn::GetAtt': [distributionId, 'DomainName'] });
        return isDomain ? '<console-domain>' : '<ref>';
      })
      .join('');
    expect(JSON.parse(call)).toMatchObject({
      action: 'putBucketCors',
      parameters: {
        Bucket: '<ref>',
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedMethods: ['PUT', 'POST'],
              AllowedOrigins: ['https://<console-domain>', ...settingsFor('prod').allowedOrigins],
              ExposeHeaders: ['ETag'],
            },
          ],
        },
      },
    });
    const deletion = JSON.stringify(hosting.resolve(corsRule?.Properties.Delete));
    expect(deletion).toContain('deleteBucketCors');
    expect(deletion).toContain('NoSuchBucket');
    // Its provider may change the CORS of the uploads bucket and nothing else.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 's3:PutBucketCORS',
            Resource: { Ref: Match.stringLikeRegexp(`^referenceto\\w*${uploadsBucket.node.id}\\w*Arn$`) },
          },
        ],
      },
    });
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expect(nagFindingsOutsideStandIns(hosting)).toEqual([]);
  });
});

describe('MusterStack', () => {
  const stack = new MusterStack(createTestApp(), 'Muster-dev', { settings: settingsFor('dev') });
  const template = Template.fromStack(stack);

  it('hosts the console in its own nested stack and outputs its URL', () => {
    const hosting = stack.node.findChild('ConsoleHosting');
    expect(NestedStack.isNestedStack(hosting)).toBe(true);
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.hasOutput('ConsoleUrl', {});
  });
});
