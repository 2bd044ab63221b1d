import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TABLE_SCHEMA } from '../../config/table';
import type { EnvironmentName } from '../../lib/config/environments';
import { StorageConstruct } from '../../lib/storage/storage-construct';
import { createTestStack, defined, logicalIdOf, settingsFor } from './support';

function synthesize(environment: EnvironmentName) {
  const stack = createTestStack();
  const storage = new StorageConstruct(stack, 'Storage', { settings: settingsFor(environment) });
  return { template: Template.fromStack(stack), storage };
}

const dev = synthesize('dev');
const prod = synthesize('prod');

describe('StorageConstruct table', () => {
  it('has the key schema, indexes and TTL attribute of config/table.ts', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_SCHEMA.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('is disposable in dev: AWS-managed encryption, no deletion protection, destroyed with the stack', () => {
    dev.template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: false,
      }),
      DeletionPolicy: 'Delete',
    });
    dev.template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('is protected in prod: customer-managed key, deletion protection, retained', () => {
    prod.template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: {
            'Fn::GetAtt': [logicalIdOf(defined(prod.storage.dataKey, 'the prod data key')), 'Arn'],
          },
        },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
    });
    prod.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('StorageConstruct buckets', () => {
  const bucketIds = (template: Template) => Object.keys(template.findResources('AWS::S3::Bucket'));

  it('blocks public access on every bucket', () => {
    const buckets = dev.template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('denies requests without TLS on every bucket', () => {
    for (const bucketId of bucketIds(dev.template)) {
      dev.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('versions uploads and reports and logs their access to the access-logs bucket', () => {
    const { storage, template } = dev;
    for (const [bucket, prefix] of [
      [storage.uploadsBucket, 'uploads/'],
      [storage.reportsBucket, 'reports/'],
    ] as const) {
      expect(template.toJSON().Resources[logicalIdOf(bucket)].Properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: logicalIdOf(storage.accessLogsBucket) },
          LogFilePrefix: prefix,
        },
      });
    }
  });

  it('expires uploads after 30 days and reports after 90, with old versions and stale multipart uploads', () => {
    const { storage, template } = dev;
    for (const [bucket, days] of [
      [storage.uploadsBucket, 30],
      [storage.reportsBucket, 90],
    ] as const) {
      expect(
        template.toJSON().Resources[logicalIdOf(bucket)].Properties.LifecycleConfiguration.Rules,
      ).toEqual([
        {
          Status: 'Enabled',
          ExpirationInDays: days,
          NoncurrentVersionExpiration: { NoncurrentDays: 7 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ]);
    }
  });

  it("declares no CORS on the data buckets: the console's UploadsCors owns the uploads bucket's", () => {
    const { storage, template } = prod;
    for (const bucket of [storage.uploadsBucket, storage.reportsBucket]) {
      expect(template.toJSON().Resources[logicalIdOf(bucket)].Properties.CorsConfiguration).toBe(undefined);
    }
  });

  it('encrypts data buckets with S3-managed keys in dev and the data key in prod', () => {
    const encryptionOf = (template: Template, bucketId: string) =>
      template.toJSON().Resources[bucketId].Properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
    expect(encryptionOf(dev.template, logicalIdOf(dev.storage.uploadsBucket))).toEqual({
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
    });
    expect(encryptionOf(prod.template, logicalIdOf(prod.storage.uploadsBucket))).toMatchObject({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' },
    });
    expect(encryptionOf(prod.template, logicalIdOf(prod.storage.accessLogsBucket))).toEqual({
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
    });
  });

  it('retains buckets in prod and empties and destroys them in dev', () => {
    expect(
      Object.values(prod.template.findResources('AWS::S3::Bucket')).map((bucket) => bucket.DeletionPolicy),
    ).toEqual(['Retain', 'Retain', 'Retain']);
    expect(
      Object.values(dev.template.findResources('AWS::S3::Bucket')).map((bucket) => bucket.DeletionPolicy),
    ).toEqual(['Delete', 'Delete', 'Delete']);
    dev.template.resourceCountIs('Custom::S3AutoDeleteObjects', 3);
    prod.template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });
});
