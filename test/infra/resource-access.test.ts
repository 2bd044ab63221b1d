import { Match, Template } from 'aws-cdk-lib/assertions';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { describe, expect, it } from 'vitest';
import { bulkImportEnvironment } from '../../config/bulk-import-settings';
import { entitlementEnvironment } from '../../config/entitlement-settings';
import { ACCESS_ENVIRONMENT, type ResourceAccess } from '../../config/resource-access';
import type { EnvironmentName } from '../../lib/config/environments';
import { createMusterFunction } from '../../lib/shared/muster-function';
import { accessEnvironment, grantResourceAccess } from '../../lib/shared/resource-access';
import {
  allowedActions,
  createTestStack,
  defined,
  environmentOf,
  logicalIdOf,
  nagFindingsOutsideStandIns,
  sharedResources,
} from './support';

const ALL_ACCESS = Object.keys(ACCESS_ENVIRONMENT) as ResourceAccess[];

/** One function per access list, each granted and named exactly as routes, tasks and notifications are. */
function synthesize(
  environment: EnvironmentName,
  lists: Readonly<Record<string, readonly ResourceAccess[]>>,
) {
  const stack = createTestStack();
  const shared = sharedResources(stack, environment);
  const functions = new Map<string, NodejsFunction>();
  for (const [id, access] of Object.entries(lists)) {
    const fn = createMusterFunction(stack, id, {
      settings: shared.settings,
      entry: 'functions/health/handlers/health.ts',
      handlerExport: 'handler',
      description: id,
      environment: accessEnvironment(access, shared.resources),
    });
    grantResourceAccess(fn, access, shared.resources);
    functions.set(id, fn);
  }
  const template = Template.fromStack(stack);
  const fn = (id: string) => {
    const found = functions.get(id);
    if (!found) throw new Error(`no function ${id}`);
    return found;
  };
  return { stack, template, fn, ...shared };
}

const LISTS = {
  UploadsWrite: ['uploads:write'],
  UploadsRead: ['uploads:read'],
  ReportsRead: ['reports:read'],
  ReportsWrite: ['reports:write'],
  Mail: ['mail:send'],
  ImportSettings: ['import-settings'],
  EntitlementSettings: ['entitlement-settings'],
  Workflow: ['workflow:BulkImport'],
  Callback: ['workflow-callback:BatchAssign'],
  Everything: ALL_ACCESS,
} satisfies Record<string, readonly ResourceAccess[]>;

const dev = synthesize('dev', LISTS);
const prod = synthesize('prod', LISTS);
const s3Actions = (id: string, built = dev) =>
  allowedActions(built.template, built.fn(id)).filter((action) => action.startsWith('s3:'));

describe('resource access: buckets', () => {
  it('lets uploads:write put (and so presign PUT and POST uploads) but not read', () => {
    const actions = s3Actions('UploadsWrite');
    expect(actions).toContain('s3:PutObject');
    expect(actions.filter((action) => /^s3:(Get|List)/.test(action))).toEqual([]);
    expect(actions).not.toContain('s3:DeleteObject*');
    dev.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(defined(dev.fn('UploadsWrite').role)) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['s3:PutObject']),
            Resource: {
              'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(dev.storage.uploadsBucket), 'Arn'] }, '/*']],
            },
          }),
        ]),
      },
    });
  });

  it('lets uploads:read and reports:read get objects (and presign GET) but not put', () => {
    for (const id of ['UploadsRead', 'ReportsRead']) {
      const actions = s3Actions(id);
      expect(actions, id).toContain('s3:GetObject*');
      expect(
        actions.filter((action) => action.startsWith('s3:Put')),
        id,
      ).toEqual([]);
    }
  });

  it('keeps each bucket kind on its own bucket', () => {
    const bucketsOf = (id: string) =>
      JSON.stringify(
        Object.values(
          dev.template.findResources('AWS::IAM::Policy', {
            Properties: { Roles: [{ Ref: logicalIdOf(defined(dev.fn(id).role)) }] },
          }),
        ),
      );
    expect(bucketsOf('ReportsWrite')).toContain(logicalIdOf(dev.storage.reportsBucket));
    expect(bucketsOf('ReportsWrite')).not.toContain(logicalIdOf(dev.storage.uploadsBucket));
    expect(bucketsOf('UploadsRead')).not.toContain(logicalIdOf(dev.storage.reportsBucket));
  });

  it('adds the data key to bucket grants where buckets are encrypted with it (prod)', () => {
    const kms = (id: string) =>
      allowedActions(prod.template, prod.fn(id)).filter((action) => action.startsWith('kms:'));
    expect(kms('UploadsWrite')).toEqual(expect.arrayContaining(['kms:GenerateDataKey*', 'kms:Encrypt']));
    expect(kms('UploadsRead')).toContain('kms:Decrypt');
    expect(kms('UploadsRead')).not.toContain('kms:Encrypt');
  });
});

describe('resource access: mail, settings and workflows', () => {
  it('lets mail:send send email as the configured SES identity and nothing else of SES', () => {
    expect(
      allowedActions(dev.template, dev.fn('Mail')).filter((action) => action.startsWith('ses:')),
    ).toEqual(['ses:SendEmail']);
    dev.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(defined(dev.fn('Mail').role)) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ses:SendEmail',
            Resource: {
              'Fn::Join': ['', Match.arrayWith([`:identity/${dev.settings.mail.sesIdentity}`])],
            },
          }),
        ]),
      },
    });
    expect(environmentOf(dev.template, dev.fn('Mail'))).toMatchObject({
      MAIL_FROM_ADDRESS: dev.settings.mail.fromAddress,
      ACTIVATION_URL_BASE: dev.settings.mail.activationUrlBase,
    });
  });

  it('gives import-settings the IMPORT_* variables and no permission at all', () => {
    expect(environmentOf(dev.template, dev.fn('ImportSettings'))).toMatchObject(
      bulkImportEnvironment(dev.settings.bulkImport),
    );
    expect(
      allowedActions(dev.template, dev.fn('ImportSettings')).filter((action) => !action.startsWith('xray:')),
    ).toEqual([]);
  });

  it('lets workflow:BulkImport start, describe and redrive executions of that state machine', () => {
    const role = { Ref: logicalIdOf(defined(dev.fn('Workflow').role)) };
    dev.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [role],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'states:StartExecution',
            Resource: { Ref: logicalIdOf(defined(dev.stateMachine, 'the stand-in state machine')) },
          }),
          Match.objectLike({
            Action: ['states:DescribeExecution', 'states:RedriveExecution'],
            Resource: { 'Fn::Join': ['', Match.arrayWith([':execution:muster-dev-BulkImport:*'])] },
          }),
        ]),
      },
    });
    expect(environmentOf(dev.template, dev.fn('Workflow'))).toMatchObject({
      BULK_IMPORT_STATE_MACHINE_ARN: { Ref: logicalIdOf(defined(dev.stateMachine)) },
    });
  });

  it('gives entitlement-settings the APPROVAL_* and EXPIRY_* variables and no permission at all', () => {
    expect(environmentOf(dev.template, dev.fn('EntitlementSettings'))).toMatchObject(
      entitlementEnvironment(dev.settings.entitlements),
    );
    expect(
      allowedActions(dev.template, dev.fn('EntitlementSettings')).filter(
        (action) => !action.startsWith('xray:'),
      ),
    ).toEqual([]);
  });

  it("lets workflow-callback:BatchAssign answer that machine's waiting tasks, and nothing else of Step Functions", () => {
    const batchAssign = defined(dev.resources.workflows.get('BatchAssign'), 'the BatchAssign stand-in');
    dev.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(defined(dev.fn('Callback').role)) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'],
            Resource: { Ref: logicalIdOf(batchAssign.stateMachine) },
          }),
        ]),
      },
    });
    expect(
      allowedActions(dev.template, dev.fn('Callback'))
        .filter((action) => action.startsWith('states:'))
        .sort(),
    ).toEqual(['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess']);
  });

  it('refuses workflow access to a state machine that is not built yet', () => {
    const stack = createTestStack();
    const { resources, settings } = sharedResources(stack, 'dev', { workflows: false });
    const fn = createMusterFunction(stack, 'Early', {
      settings,
      entry: 'functions/health/handlers/health.ts',
      handlerExport: 'handler',
      description: 'early',
    });
    expect(() => grantResourceAccess(fn, ['workflow:BulkImport'], resources)).toThrow(
      /needs the BulkImport state machine, which is not built \(yet\)/,
    );
  });
});

describe('resource access: one vocabulary', () => {
  it('brings exactly the variables config/resource-access.ts names, for every kind of access', () => {
    for (const kind of ALL_ACCESS) {
      expect(Object.keys(accessEnvironment([kind], dev.resources)).sort(), kind).toEqual(
        [...ACCESS_ENVIRONMENT[kind]].sort(),
      );
    }
  });

  it('passes cdk-nag AwsSolutions with every kind of access granted, in dev and prod', () => {
    for (const { stack } of [dev, prod]) {
      expect(nagFindingsOutsideStandIns(stack)).toEqual([]);
    }
  });
});
