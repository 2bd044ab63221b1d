import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, type LifecycleRule } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../config/table';
import type { EnvironmentSettings } from '../config/environments';
import { acknowledge } from '../shared/nag';

export interface StorageConstructProps {
  readonly settings: EnvironmentSettings;
}

const NONCURRENT_VERSION_RETENTION = Duration.days(7);

/**
 * Everything Muster keeps: the single DynamoDB table, uploaded spreadsheets, generated reports, and
 * the S3 server access logs of both buckets.
 */
export class StorageConstruct extends Construct {
  readonly table: Table;
  readonly uploadsBucket: Bucket;
  readonly reportsBucket: Bucket;
  readonly accessLogsBucket: Bucket;
  /** Present when the environment uses customer-managed encryption. */
  readonly dataKey?: Key;

  constructor(scope: Construct, id: string, props: StorageConstructProps) {
    super(scope, id);
    const { settings } = props;
    const removalPolicy = settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    if (settings.dataEncryption === 'customer-managed') {
      this.dataKey = new Key(this, 'DataKey', {
        description: `Muster ${settings.name}: table and bucket encryption`,
        alias: `alias/muster-${settings.name}-data`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE_SCHEMA.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(this.dataKey
        ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.dataKey }
        : { encryption: TableEncryption.AWS_MANAGED }),
      deletionProtection: settings.retainData,
      removalPolicy,
    });
    for (const index of TABLE_SCHEMA.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      });
    }

    const bucketDefaults = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy,
      autoDeleteObjects: !settings.retainData,
    };

    // S3 only delivers server access logs to a bucket encrypted with S3-managed keys.
    this.accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      ...bucketDefaults,
      encryption: BucketEncryption.S3_MANAGED,
      lifecycleRules: [{ expiration: settings.retainData ? Duration.days(365) : Duration.days(30) }],
    });
    acknowledge(
      this.accessLogsBucket,
      'AwsSolutions-S1',
      'This bucket is the server access log destination of the other buckets; logging it to itself would loop.',
    );

    const dataBucketDefaults = {
      ...bucketDefaults,
      versioned: true,
      ...(this.dataKey
        ? { encryption: BucketEncryption.KMS, encryptionKey: this.dataKey, bucketKeyEnabled: true }
        : { encryption: BucketEncryption.S3_MANAGED }),
      serverAccessLogsBucket: this.accessLogsBucket,
    };

    this.uploadsBucket = new Bucket(this, 'UploadsBucket', {
      ...dataBucketDefaults,
      serverAccessLogsPrefix: 'uploads/',
      lifecycleRules: [expiringObjects(Duration.days(30))],
      // Browsers upload here with presigned PUT or POST; the bucket's CORS is set by the console's
      // UploadsCors, once the console's CloudFront origin exists (lib/console/uploads-cors.ts).
    });

    this.reportsBucket = new Bucket(this, 'ReportsBucket', {
      ...dataBucketDefaults,
      serverAccessLogsPrefix: 'reports/',
      lifecycleRules: [expiringObjects(Duration.days(90))],
    });
  }
}

function expiringObjects(expiration: Duration): LifecycleRule {
  return {
    expiration,
    noncurrentVersionExpiration: NONCURRENT_VERSION_RETENTION,
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  };
}
