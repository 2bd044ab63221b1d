import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';
import { bulkImportEnvironment } from '../../config/bulk-import-settings';
import { entitlementEnvironment } from '../../config/entitlement-settings';
import { requestQuotaEnvironment } from '../../config/request-quota';
import {
  ACCESS_ENVIRONMENT,
  type AccessVariablesOf,
  type ResourceAccess,
  STATE_MACHINE_NAMES,
  type StateMachineName,
} from '../../config/resource-access';
import type { EnvironmentSettings } from '../config/environments';
import {
  acknowledge,
  acknowledgeBucketGrant,
  acknowledgeKmsDataKeyActions,
  acknowledgeTableIndexGrant,
} from './nag';

/** A deployed state machine, as `workflow:<name>` access needs it. */
export interface WorkflowResource {
  readonly stateMachine: IStateMachine;
  /** Its physical name, fixed so IAM statements can name its executions without referencing it. */
  readonly stateMachineName: string;
}

/** What a function may be granted access to; config/ names the access, this turns it into IAM. */
export interface SharedResources {
  readonly settings: EnvironmentSettings;
  readonly table: ITable;
  readonly bus: IEventBus;
  readonly uploadsBucket: IBucket;
  readonly reportsBucket: IBucket;
  /**
   * The state machines built so far, by config name. A function with `workflow:<name>` can only be
   * built once that machine exists: the stack builds the workflows before the API.
   */
  readonly workflows: ReadonlyMap<string, WorkflowResource>;
}

/** Grants exactly the listed access and nothing else. */
export function grantResourceAccess(
  fn: IFunction,
  access: readonly ResourceAccess[],
  resources: SharedResources,
): void {
  for (const item of new Set(access)) {
    switch (item) {
      case 'table:read':
        grantTableData(fn, resources.table, 'read');
        break;
      case 'table:write':
        grantTableData(fn, resources.table, 'write');
        break;
      case 'bus:publish':
        resources.bus.grantPutEventsTo(fn);
        break;
      case 'uploads:read':
        grantBucketObjects(fn, resources.uploadsBucket, 'read');
        break;
      case 'uploads:write':
        // Also what lets the function presign PUT and POST uploads: S3 checks the signer's own rights.
        grantBucketObjects(fn, resources.uploadsBucket, 'write');
        break;
      case 'reports:read':
        // Also what lets the function presign report downloads (GET).
        grantBucketObjects(fn, resources.reportsBucket, 'read');
        break;
      case 'reports:write':
        grantBucketObjects(fn, resources.reportsBucket, 'write');
        break;
      case 'mail:send':
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['ses:SendEmail'],
            resources: [sesIdentityArn(fn, resources.settings.mail.sesIdentity)],
          }),
        );
        break;
      case 'import-settings':
        // Settings, not a resource: the IMPORT_* variables are all there is to it.
        break;
      case 'entitlement-settings':
        // Settings, not a resource: the APPROVAL_* and EXPIRY_* variables are all there is to it.
        break;
      case 'request-quota':
        // Settings, not a resource: the counters live in the table, granted by table:write.
        break;
      case 'workflow:BulkImport':
      case 'workflow:BatchAssign':
        grantWorkflow(fn, workflowNamed(resources, workflowOf(item)));
        break;
      case 'workflow-callback:BulkImport':
      case 'workflow-callback:BatchAssign':
        workflowNamed(resources, workflowOf(item)).stateMachine.grantTaskResponse(fn);
        break;
      default:
        throw new Error(`Unknown resource access: ${item satisfies never}`);
    }
  }
}

type AccessValues = { readonly [K in ResourceAccess]: () => Record<AccessVariablesOf<K>, string> };

/**
 * The environment variables a set of access brings, with their deployed values: the names come from
 * `ACCESS_ENVIRONMENT` (config/resource-access.ts), which the local stack maps too. A producer that
 * returns other names than the vocabulary lists fails the synth.
 */
export function accessEnvironment(
  access: Iterable<ResourceAccess>,
  resources: SharedResources,
): Record<string, string> {
  const values: AccessValues = {
    'table:read': () => ({ TABLE_NAME: resources.table.tableName }),
    'table:write': () => ({ TABLE_NAME: resources.table.tableName }),
    'bus:publish': () => ({ EVENT_BUS_NAME: resources.bus.eventBusName }),
    'uploads:read': () => ({ UPLOADS_BUCKET: resources.uploadsBucket.bucketName }),
    'uploads:write': () => ({ UPLOADS_BUCKET: resources.uploadsBucket.bucketName }),
    'reports:read': () => ({ REPORTS_BUCKET: resources.reportsBucket.bucketName }),
    'reports:write': () => ({ REPORTS_BUCKET: resources.reportsBucket.bucketName }),
    'mail:send': () => ({
      MAIL_FROM_ADDRESS: resources.settings.mail.fromAddress,
      ACTIVATION_URL_BASE: resources.settings.mail.activationUrlBase,
    }),
    'import-settings': () => importSettingsEnvironment(resources.settings),
    'entitlement-settings': () => entitlementSettingsEnvironment(resources.settings),
    'request-quota': () => requestQuotaSettingsEnvironment(resources.settings),
    'workflow:BulkImport': () => ({
      BULK_IMPORT_STATE_MACHINE_ARN: workflowNamed(resources, 'BulkImport').stateMachine.stateMachineArn,
    }),
    'workflow:BatchAssign': () => ({
      BATCH_ASSIGN_STATE_MACHINE_ARN: workflowNamed(resources, 'BatchAssign').stateMachine.stateMachineArn,
    }),
    'workflow-callback:BulkImport': () => ({}),
    'workflow-callback:BatchAssign': () => ({}),
  };
  const environment: Record<string, string> = {};
  for (const kind of new Set(access)) {
    const produced = values[kind]();
    assertNamesMatch(kind, Object.keys(produced));
    Object.assign(environment, produced);
  }
  return environment;
}

/** `bulkImportEnvironment` returns a plain record: its names are checked against the vocabulary here. */
function importSettingsEnvironment(
  settings: EnvironmentSettings,
): Record<AccessVariablesOf<'import-settings'>, string> {
  const produced = bulkImportEnvironment(settings.bulkImport);
  if (!bringsExactly('import-settings', produced)) throw mismatch('import-settings', Object.keys(produced));
  return produced;
}

/** `entitlementEnvironment` returns a plain record: its names are checked against the vocabulary here. */
function entitlementSettingsEnvironment(
  settings: EnvironmentSettings,
): Record<AccessVariablesOf<'entitlement-settings'>, string> {
  const produced = entitlementEnvironment(settings.entitlements);
  if (!bringsExactly('entitlement-settings', produced))
    throw mismatch('entitlement-settings', Object.keys(produced));
  return produced;
}

/** `requestQuotaEnvironment` returns a plain record: its names are checked against the vocabulary here. */
function requestQuotaSettingsEnvironment(
  settings: EnvironmentSettings,
): Record<AccessVariablesOf<'request-quota'>, string> {
  const produced = requestQuotaEnvironment(settings.requestQuota);
  if (!bringsExactly('request-quota', produced)) throw mismatch('request-quota', Object.keys(produced));
  return produced;
}

/** `workflow:BulkImport` or `workflow-callback:BulkImport` → `BulkImport`. */
function workflowOf(access: `${string}:${StateMachineName}`): StateMachineName {
  const name = STATE_MACHINE_NAMES.find((machine) => access.endsWith(`:${machine}`));
  if (name === undefined) throw new Error(`Not a workflow access: ${access}`);
  return name;
}

function assertNamesMatch(kind: ResourceAccess, names: readonly string[]): void {
  if (!sameNames(ACCESS_ENVIRONMENT[kind], names)) throw mismatch(kind, names);
}

function bringsExactly<K extends ResourceAccess>(
  kind: K,
  record: Record<string, string>,
): record is Record<AccessVariablesOf<K>, string> {
  return sameNames(ACCESS_ENVIRONMENT[kind], Object.keys(record));
}

function sameNames(expected: readonly string[], names: readonly string[]): boolean {
  return names.length === expected.length && expected.every((name) => names.includes(name));
}

function mismatch(kind: ResourceAccess, names: readonly string[]): Error {
  return new Error(
    `Access ${kind} must bring exactly [${ACCESS_ENVIRONMENT[kind].join(', ')}] (config/resource-access.ts), got [${names.join(', ')}]`,
  );
}

/** Item-level table access, acknowledging the scoped wildcards (indexes, KMS data keys) it implies. */
export function grantTableData(fn: IFunction, table: ITable, mode: 'read' | 'write' | 'read-write'): void {
  if (mode === 'read') table.grantReadData(fn);
  else if (mode === 'write') table.grantWriteData(fn);
  else table.grantReadWriteData(fn);
  acknowledgeTableIndexGrant(fn, table);
  if (table.encryptionKey !== undefined) acknowledgeKmsDataKeyActions(fn);
}

/**
 * Object access on one bucket: `read` is CDK's grantRead (GetObject and friends, what a presigned
 * GET needs), `write` is grantPut (PutObject and friends, what a presigned PUT or POST needs); with
 * the bucket's KMS key where it has one. Neither includes the other, nor deleting.
 */
function grantBucketObjects(fn: IFunction, bucket: IBucket, mode: 'read' | 'write'): void {
  if (mode === 'read') bucket.grantRead(fn);
  else bucket.grantPut(fn);
  acknowledgeBucketGrant(fn, bucket, mode);
  if (mode === 'write' && bucket.encryptionKey !== undefined) acknowledgeKmsDataKeyActions(fn);
}

/** `arn:<partition>:ses:<region>:<account>:identity/<domain or address>`. */
export function sesIdentityArn(scope: IConstruct, identity: string): string {
  return Stack.of(scope).formatArn({
    service: 'ses',
    resource: 'identity',
    resourceName: identity,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** A state machine's physical name, fixed so that IAM statements and rules can name it without a reference. */
export function stateMachineNameOf(settings: EnvironmentSettings, name: string): string {
  return `muster-${settings.name}-${name}`;
}

/** `arn:<partition>:states:<region>:<account>:stateMachine:<name>`, without referencing the machine. */
export function stateMachineArnNamed(scope: IConstruct, stateMachineName: string): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: stateMachineName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** `arn:<partition>:states:<region>:<account>:execution:<name>:*`: every execution of one state machine. */
export function executionsArn(scope: IConstruct, stateMachineName: string): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * An ARN of this stack's account and region as cdk-nag spells it in a finding: the partition, region
 * and account literally when the stack is bound to them (`cdk synth` with a default region),
 * `<AWS::Region>`-style pseudo parameters when it is environment-agnostic.
 */
export function stackArnFinding(scope: IConstruct, service: string, resource: string): string {
  const stack = Stack.of(scope);
  const spell = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  return `arn:${spell(stack.partition, 'Partition')}:${service}:${spell(stack.region, 'Region')}:${spell(stack.account, 'AccountId')}:${resource}`;
}

/** The cdk-nag spelling of `executionsArn`, for acknowledgements. */
export function executionsArnFinding(scope: IConstruct, stateMachineName: string): string {
  return stackArnFinding(scope, 'states', `execution:${stateMachineName}:*`);
}

/** Start an execution, follow it, and redrive it once it failed: what the API does with an import. */
function grantWorkflow(fn: IFunction, workflow: WorkflowResource): void {
  workflow.stateMachine.grantStartExecution(fn);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['states:DescribeExecution', 'states:RedriveExecution'],
      resources: [executionsArn(fn, workflow.stateMachineName)],
    }),
  );
  acknowledge(
    fn,
    `AwsSolutions-IAM5[Resource::${executionsArnFinding(fn, workflow.stateMachineName)}]`,
    `Describing and redriving executions of the ${workflow.stateMachineName} state machine only; execution ARNs are only known once started.`,
  );
}

function workflowNamed(resources: SharedResources, name: StateMachineName): WorkflowResource {
  const workflow = resources.workflows.get(name);
  if (workflow === undefined) {
    throw new Error(
      `workflow:${name} access needs the ${name} state machine, which is not built (yet): build the workflows before the functions that start them`,
    );
  }
  return workflow;
}
