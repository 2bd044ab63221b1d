import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  type AwsSdkCall,
  PhysicalResourceId,
} from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { UPLOAD_CORS_RULE } from '../../config/console-hosting';
import { acknowledgeFrameworkLambda } from '../shared/nag';

export interface UploadsCorsProps {
  readonly uploadsBucket: IBucket;
  /** Every browser origin that uploads: the console's own and `muster:allowedOrigins`. */
  readonly origins: readonly string[];
}

/** The construct id CDK gives AwsCustomResource's singleton provider function. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * The uploads bucket's CORS, set once the console's CloudFront name exists. The bucket cannot list
 * that origin itself: the distribution depends on the API, whose functions depend on the bucket. So
 * this custom resource alone owns the bucket's CORS (the bucket declares none, so a later update of
 * the bucket never puts back a rule without the console's origin).
 */
export class UploadsCors extends Construct {
  constructor(scope: Construct, id: string, props: UploadsCorsProps) {
    super(scope, id);
    const bucketName = props.uploadsBucket.bucketName;
    const putCors: AwsSdkCall = {
      service: 'S3',
      action: 'putBucketCors',
      parameters: {
        Bucket: bucketName,
        CORSConfiguration: { CORSRules: [{ ...UPLOAD_CORS_RULE, AllowedOrigins: [...props.origins] }] },
      },
      // One rule whatever the bucket: a replaced bucket makes this an update that puts the rule on
      // the new one, not a replacement whose clean-up would call the old bucket.
      physicalResourceId: PhysicalResourceId.of('uploads-bucket-cors'),
    };
    const resource = new AwsCustomResource(this, 'Rule', {
      onCreate: putCors,
      onUpdate: putCors,
      onDelete: {
        service: 'S3',
        action: 'deleteBucketCors',
        parameters: { Bucket: bucketName },
        // A bucket deleted outside the stack has no rule left to remove.
        ignoreErrorCodesMatching: 'NoSuchBucket',
      },
      // S3 authorizes both PutBucketCors and DeleteBucketCors with s3:PutBucketCORS; there is no
      // s3:DeleteBucketCors action, which fromSdkCalls would derive from the call's name.
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['s3:PutBucketCORS'], resources: [props.uploadsBucket.bucketArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    // AwsCustomResource runs on one provider function per stack, a child of the stack.
    const provider = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    if (provider === undefined) throw new Error(`${resource.node.path}: no AwsCustomResource provider`);
    acknowledgeFrameworkLambda(
      provider,
      "it only puts the uploads bucket's CORS rule during deployment (AwsCustomResource's provider).",
    );
  }
}
