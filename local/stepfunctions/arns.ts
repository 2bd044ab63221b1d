/** The region and account the local engine pretends to live in; every ARN it hands out names them. */
export interface AwsScope {
  readonly region: string;
  readonly accountId: string;
}

export function stateMachineArn({ region, accountId }: AwsScope, name: string): string {
  return `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
}

export function executionArn(
  { region, accountId }: AwsScope,
  stateMachine: string,
  execution: string,
): string {
  return `arn:aws:states:${region}:${accountId}:execution:${stateMachine}:${execution}`;
}

export function lambdaFunctionArn({ region, accountId }: AwsScope, functionName: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
}

const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[^:]+:[^:]+:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws[\w-]*:states:[^:]+:[^:]+:execution:[^:]+:[^:]+$/;

/** Tells a malformed ARN (AWS answers `InvalidArn`) from a well-formed one that names nothing. */
export function isStateMachineArn(arn: string): boolean {
  return STATE_MACHINE_ARN.test(arn);
}

export function isExecutionArn(arn: string): boolean {
  return EXECUTION_ARN.test(arn);
}

const FUNCTION_MARKER = ':function:';

/**
 * The function a `FunctionName` designates, in any form Lambda accepts (`name`, `name:alias`,
 * `account:function:name`, a full ARN with or without qualifier); the qualifier is dropped because
 * locally every function has exactly one version.
 */
export function lambdaFunctionName(nameOrArn: string): string {
  const marker = nameOrArn.indexOf(FUNCTION_MARKER);
  const unqualified = marker === -1 ? nameOrArn : nameOrArn.slice(marker + FUNCTION_MARKER.length);
  return unqualified.split(':')[0] ?? unqualified;
}
