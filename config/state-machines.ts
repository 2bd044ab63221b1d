/**
 * The Step Functions state machines of Muster. Each ASL file in `statemachines/` is deployed by
 * CDK and run by the local engine, with the same `${Placeholder}` substitutions: every task
 * placeholder names the Lambda handler it stands for.
 */
export interface StateMachineTask {
  readonly entry: string;
  readonly export: string;
}

export interface StateMachineDefinition {
  readonly name: string;
  readonly definitionFile: string;
  readonly tasks: Readonly<Record<string, StateMachineTask>>;
}

export const STATE_MACHINES: readonly StateMachineDefinition[] = [];
