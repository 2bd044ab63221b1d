import { type BulkImportSettings, bulkImportDefinitionParameters } from './bulk-import-settings';
import type { EntitlementSettings } from './entitlement-settings';
import { APPROVAL_ACCESS, type ResourceAccess, type StateMachineName } from './resource-access';

/**
 * The Step Functions state machines of Muster. Each ASL file in `statemachines/` is deployed by
 * CDK and run by the local engine, with the same `${Placeholder}` substitutions: every task
 * placeholder names the Lambda handler it stands for.
 */
export interface StateMachineTask {
  readonly entry: string;
  readonly export: string;
  readonly access?: readonly ResourceAccess[];
}

/** `Name` is open so tests can run fixture machines; Muster's own are `StateMachineName`s. */
export interface StateMachineDefinition<Name extends string = StateMachineName> {
  readonly name: Name;
  readonly definitionFile: string;
  readonly tasks: Readonly<Record<string, StateMachineTask>>;
  /** Substitutions that are not tasks (concurrency, retry numbers), from the settings files. */
  readonly parameters: Readonly<Record<string, string>>;
}

const PROVISIONING_TASKS = 'functions/bulk-import/handlers/provisioning-tasks.ts';
const NOTIFICATION_TASKS = 'functions/bulk-import/handlers/notification-tasks.ts';
const PROVISIONING_ACCESS: readonly ResourceAccess[] = [
  'table:read',
  'table:write',
  'reports:read',
  'reports:write',
  'bus:publish',
  'import-settings',
];

/**
 * The approvals' callback task (`lambda:invoke.waitForTaskToken`), for every workflow that waits
 * for an approval: it may resume any of them at once when its approval is already decided.
 */
export const REQUEST_APPROVAL_TASK: StateMachineTask = {
  entry: 'functions/approvals/handlers/approval-tasks.ts',
  export: 'requestApproval',
  access: APPROVAL_ACCESS,
};

const ASSIGNMENT_TASKS = 'functions/entitlements/handlers/assignment-tasks.ts';
/** The batch-assign tasks other than Notify: no mail; the expiry settings time the grants' reminders. */
const ASSIGNMENT_ACCESS: readonly ResourceAccess[] = [
  'table:read',
  'table:write',
  'bus:publish',
  'entitlement-settings',
];

/** The settings files that shape the state machines (an environment's settings have both). */
export interface StateMachineSettings {
  readonly bulkImport: BulkImportSettings;
  readonly entitlements: EntitlementSettings;
}

/**
 * A waiting approval task's own timeout: a backstop only. The approval sweep expires an approval
 * at its maximum wait and fails the task with Approval.Expired; the task times out by itself only if
 * no sweep has run for a day past that.
 */
export function approvalTimeoutSeconds(entitlements: EntitlementSettings): number {
  return (entitlements.approvalMaxWaitHours + 24) * 3600;
}

/**
 * The state machines, with the settings that shape them. A function (not a constant) because the
 * settings come from files and an environment's overrides, which only CDK and the local stack read.
 */
export function stateMachines({
  bulkImport,
  entitlements,
}: StateMachineSettings): readonly StateMachineDefinition[] {
  const approvalParameters = { ApprovalTimeoutSeconds: String(approvalTimeoutSeconds(entitlements)) };
  return [
    {
      name: 'BulkImport',
      definitionFile: 'statemachines/bulk-import.asl.json',
      tasks: {
        PrepareBatchesFunction: {
          entry: PROVISIONING_TASKS,
          export: 'prepareBatches',
          access: PROVISIONING_ACCESS,
        },
        ProvisionBatchFunction: {
          entry: PROVISIONING_TASKS,
          export: 'provisionBatch',
          access: PROVISIONING_ACCESS,
        },
        NotifyBatchFunction: {
          entry: NOTIFICATION_TASKS,
          export: 'notifyBatch',
          access: [...PROVISIONING_ACCESS, 'mail:send'],
        },
        FinalizeImportFunction: {
          entry: NOTIFICATION_TASKS,
          export: 'finalizeImport',
          access: [...PROVISIONING_ACCESS, 'mail:send'],
        },
        RequestApprovalFunction: REQUEST_APPROVAL_TASK,
        SettleGrantsFunction: {
          entry: 'functions/bulk-import/handlers/grant-settlement.ts',
          export: 'settleGrants',
          access: ['table:read', 'table:write', 'reports:read', 'reports:write', 'bus:publish', 'mail:send'],
        },
      },
      parameters: { ...bulkImportDefinitionParameters(bulkImport), ...approvalParameters },
    },
    {
      name: 'BatchAssign',
      definitionFile: 'statemachines/batch-assign.asl.json',
      tasks: {
        PrepareAssignmentFunction: { entry: ASSIGNMENT_TASKS, export: 'prepare', access: ASSIGNMENT_ACCESS },
        RequestApprovalFunction: REQUEST_APPROVAL_TASK,
        ActivateGrantsFunction: {
          entry: ASSIGNMENT_TASKS,
          export: 'activateGrants',
          access: ASSIGNMENT_ACCESS,
        },
        RejectGrantsFunction: { entry: ASSIGNMENT_TASKS, export: 'rejectGrants', access: ASSIGNMENT_ACCESS },
        NotifyAssignmentFunction: {
          entry: 'functions/entitlements/handlers/assignment-notification.ts',
          export: 'notify',
          access: ['table:read', 'table:write', 'bus:publish', 'mail:send'],
        },
        MarkAssignmentFailedFunction: {
          entry: ASSIGNMENT_TASKS,
          export: 'markFailed',
          access: ASSIGNMENT_ACCESS,
        },
      },
      parameters: approvalParameters,
    },
  ];
}

const PLACEHOLDER = /\$\{([^}]+)\}/g;

/** The `${Placeholder}` names an ASL text uses, each once. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1] as string))];
}

/**
 * The ASL text with its placeholders replaced, as text, before it is parsed: a parameter is a bare
 * number (`"MaxConcurrency": ${ProvisionConcurrency}`), so the file is only JSON afterwards. A task
 * placeholder becomes `taskValue(name)` (the local engine: a Lambda ARN; CDK: the placeholder
 * again, for CloudFormation's DefinitionSubstitutions to fill in with the deployed ARN). A
 * placeholder that is neither a task nor a parameter is an error.
 */
export function substitutePlaceholders(
  definition: StateMachineDefinition<string>,
  text: string,
  taskValue: (task: string) => string,
): string {
  const unknown = placeholdersOf(text).filter(
    (name) => !Object.hasOwn(definition.tasks, name) && !Object.hasOwn(definition.parameters, name),
  );
  if (unknown.length > 0) {
    throw new Error(
      `${definition.definitionFile} uses ${unknown.map((name) => `\${${name}}`).join(', ')}, which state machine ` +
        `"${definition.name}" in config/state-machines.ts maps to neither a task nor a parameter`,
    );
  }
  return text.replace(PLACEHOLDER, (placeholder, name: string) =>
    Object.hasOwn(definition.tasks, name) ? taskValue(name) : (definition.parameters[name] ?? placeholder),
  );
}
