import { readFileSync } from 'node:fs';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { DefinitionBody, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { z } from 'zod';
import { STATE_MACHINE_NAMES } from '../../config/resource-access';
import {
  type ContextReader,
  type EnvironmentName,
  type EnvironmentSettings,
  loadEnvironmentSettings,
} from '../../lib/config/environments';
import { fromRepositoryRoot } from '../../lib/shared/repository';
import type { SharedResources } from '../../lib/shared/resource-access';
import { StorageConstruct } from '../../lib/storage/storage-construct';

/** The `context` of cdk.json: the feature flags `cdk synth` runs with. */
export const CDK_JSON_CONTEXT: Readonly<Record<string, unknown>> = z
  .object({ context: z.record(z.string(), z.unknown()) })
  .parse(JSON.parse(readFileSync(fromRepositoryRoot('cdk.json'), 'utf8'))).context;

/**
 * An App with the feature flags of cdk.json, so tests synthesize what `cdk synth` does, minus asset
 * bundling (no stack is bundled), which keeps the suite fast.
 */
export function createTestApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } });
}

export function createTestStack(app: App = createTestApp()): Stack {
  return new Stack(app, 'Test');
}

/** The settings bin/muster.ts would load for this environment and these `-c` values. */
export function settingsFor(
  environment: EnvironmentName,
  context: Record<string, unknown> = {},
): EnvironmentSettings {
  const values: Record<string, unknown> = { 'muster:environment': environment, ...context };
  const readContext: ContextReader = (key) => values[key];
  return loadEnvironmentSettings(readContext);
}

export function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

type PolicyStatement = { Effect: string; Action: string | string[]; Resource: unknown };

/** Every action the identity policies attached to a function's (or a state machine's) role allow. */
export function allowedActions(template: Template, fn: Pick<IFunction, 'role' | 'node'>): string[] {
  const role = fn.role;
  if (role === undefined) throw new Error(`${fn.node.path} has no role`);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: logicalIdOf(role) }] },
  });
  return Object.values(policies).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as PolicyStatement[])
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => [statement.Action].flat()),
  );
}

/** The environment variables of a function in the synthesized template. */
export function environmentOf(template: Template, fn: IFunction): Record<string, unknown> {
  const resource = template.toJSON().Resources[logicalIdOf(fn)];
  return resource.Properties.Environment?.Variables ?? {};
}

/** The value, or a failed test naming what was missing. */
export function defined<T>(value: T | undefined, what = 'value'): T {
  if (value === undefined) throw new Error(`Expected ${what} to be defined`);
  return value;
}

/**
 * What a construct under test is given in the stack: storage, a bus, and (unless `workflows` is
 * false) a one-state stand-in for the BulkImport state machine, named as WorkflowsConstruct names
 * it, so routes may start it.
 */
export function sharedResources(stack: Stack, environment: EnvironmentName, { workflows = true } = {}) {
  const settings = settingsFor(environment);
  const storage = new StorageConstruct(stack, 'Storage', { settings });
  const bus = new EventBus(stack, 'Bus');
  const standIns = workflows
    ? STATE_MACHINE_NAMES.map((name) => {
        const stateMachineName = `muster-${settings.name}-${name}`;
        const stateMachine = new StateMachine(stack, `${name}StandIn`, {
          stateMachineName,
          definitionBody: DefinitionBody.fromChainable(new Pass(stack, `${name}Nothing`)),
        });
        return [name, { stateMachine, stateMachineName }] as const;
      })
    : [];
  const stateMachine = standIns[0]?.[1].stateMachine;
  const resources: SharedResources = {
    settings,
    table: storage.table,
    bus,
    uploadsBucket: storage.uploadsBucket,
    reportsBucket: storage.reportsBucket,
    workflows: new Map(standIns),
  };
  return { resources, settings, storage, bus, stateMachine };
}

/**
 * cdk-nag AwsSolutions findings of a stack, as `rule at path`, leaving out the test's one-state
 * workflow stand-ins (they are the test's, not Muster's: no logs or tracing).
 */
export function nagFindingsOutsideStandIns(stack: IConstruct): string[] {
  return new AwsSolutionsChecks()
    .validateScope(stack)
    .violations.flatMap((violation) =>
      violation.violatingResources
        .filter((resource) => !resource.constructPath?.includes('StandIn'))
        .map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    );
}
