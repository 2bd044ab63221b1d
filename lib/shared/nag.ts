import { type CfnElement, Names, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag v3 findings are acknowledged through CDK's `Validations` API, one finding id at a time
 * (`Rule[Finding]`), on the narrowest construct that owns the finding. Each helper here names one
 * recurring, reviewed exception and says why it is acceptable.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

const LAMBDA_BASIC_EXECUTION_POLICY =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/** The findings every Lambda built by createMusterFunction carries by design. */
export function acknowledgeLambdaBaseline(fn: IConstruct): void {
  acknowledge(
    fn,
    LAMBDA_BASIC_EXECUTION_POLICY,
    'AWSLambdaBasicExecutionRole only allows writing to CloudWatch Logs; the AWS-maintained policy is preferred over a hand-copied one.',
  );
  acknowledge(
    fn,
    'AwsSolutions-IAM5[Resource::*]',
    'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
  );
  acknowledge(
    fn,
    'AwsSolutions-L1',
    'The runtime is pinned to Node.js 22 (the bundle targets node22); runtime upgrades are a reviewed change, not implicit.',
  );
}

/** The Lambda-backed framework functions CDK itself adds (custom resource providers). */
export function acknowledgeFrameworkLambda(scope: IConstruct, reason: string): void {
  acknowledgeFrameworkExecutionRole(scope, reason);
  acknowledge(scope, 'AwsSolutions-L1', `CDK chooses the runtime of its framework functions: ${reason}`);
}

/** A CDK framework function whose runtime cdk-nag accepts: only its execution role is a finding. */
export function acknowledgeFrameworkExecutionRole(scope: IConstruct, reason: string): void {
  acknowledge(
    scope,
    LAMBDA_BASIC_EXECUTION_POLICY,
    `AWSLambdaBasicExecutionRole on a CDK framework function: ${reason}`,
  );
}

/** The `Resource::<LogicalId.Arn>:*` finding a grantInvoke produces: it covers the function's versions. */
export function functionVersionsFinding(fn: IFunction): string {
  return `AwsSolutions-IAM5[Resource::<${logicalIdOf(fn)}.Arn>:*]`;
}

/** A table read or write grant includes every index of the table: `<table ARN>/index/*`. */
export function acknowledgeTableIndexGrant(grantee: IConstruct, table: ITable): void {
  acknowledge(
    grantee,
    `AwsSolutions-IAM5[Resource::${arnAsSeenFrom(grantee, table)}/index/*]`,
    'Scoped to the indexes of the single Muster table (GSI1, GSI2), which the access patterns query.',
  );
}

/** A grant on data under a customer-managed key includes KMS actions that only exist as wildcards. */
export function acknowledgeKmsDataKeyActions(grantee: IConstruct): void {
  const reason =
    'KMS data-key actions on the one customer-managed data key; GenerateDataKey* and ReEncrypt* have no narrower form.';
  acknowledge(grantee, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason);
  acknowledge(grantee, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason);
}

/**
 * A bucket object grant (CDK's grantRead / grantPut) covers every object of that one bucket, with
 * the action families S3 defines for reading (`GetObject*`, `GetBucket*`, `List*`) or putting
 * (`Abort*`, for multipart uploads).
 */
export function acknowledgeBucketGrant(grantee: IConstruct, bucket: IBucket, mode: 'read' | 'write'): void {
  const name = bucket.node.id;
  acknowledge(
    grantee,
    bucketObjectsFinding(bucket, grantee),
    `Objects of the ${name} only: object keys are per tenant and per file, so they are only known at run time.`,
  );
  const actions = mode === 'read' ? ['s3:GetObject*', 's3:GetBucket*', 's3:List*'] : ['s3:Abort*'];
  for (const action of actions) {
    acknowledge(
      grantee,
      `AwsSolutions-IAM5[Action::${action}]`,
      `CDK's ${mode === 'read' ? 'grantRead' : 'grantPut'} action family on the ${name} only (${mode === 'read' ? 'reading objects, their versions and the bucket listing' : 'aborting its own multipart uploads'}).`,
    );
  }
}

/** The `Resource::<Bucket.Arn>/*` finding of a grant on every object of a bucket, as the grantee sees it. */
export function bucketObjectsFinding(bucket: IBucket, grantee: IConstruct = bucket): string {
  return `AwsSolutions-IAM5[Resource::${arnAsSeenFrom(grantee, bucket)}/*]`;
}

/**
 * How cdk-nag spells a resource's ARN in the grantee's template: `<LogicalId.Arn>` in the resource's
 * own stack; in a nested stack of it, the parameter CDK passes the ARN through
 * (`<referenceto<unique id>Arn>`, the `reference-to-` parameter CDK names after the target).
 */
function arnAsSeenFrom(grantee: IConstruct, resource: IConstruct): string {
  const granteeStack = Stack.of(grantee);
  const resourceStack = Stack.of(resource);
  if (granteeStack === resourceStack) return `<${logicalIdOf(resource)}.Arn>`;
  if (granteeStack.nestedStackParent !== resourceStack) {
    throw new Error(
      `${grantee.node.path}: a grant on ${resource.node.path} from a stack that is neither its own nor a nested stack of it`,
    );
  }
  return `<referenceto${Names.uniqueId(cfnResourceOf(resource))}Arn>`;
}

function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(cfnResourceOf(construct));
}

function cfnResourceOf(construct: IConstruct): CfnElement {
  const resource = construct.node.defaultChild as CfnElement | undefined;
  if (resource === undefined) {
    throw new Error(`${construct.node.path} has no CloudFormation resource to name in a finding`);
  }
  return resource;
}
