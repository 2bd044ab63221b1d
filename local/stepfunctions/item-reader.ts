import { z } from 'zod';
import { type JsonValue, jsonValue } from './json';
import { TaskFailure } from './task-failure';

/**
 * aws-local-stepfunctions has no ItemReader. The local engine bridges a Map state's
 * `ItemReader` (`arn:aws:states:::s3:getObject`, `ReaderConfig.InputType: JSON`) by rewriting the ASL
 * before it is compiled:
 *
 * - a hidden Task state, `<Map>.ItemReader`, takes the Map's place in every transition. It has the
 *   Map's `InputPath`, and the ItemReader's `Parameters` as its own, so the engine resolves
 *   `Bucket.$`/`Key.$` against the Map's input exactly as Step Functions would. Its handler reads
 *   the object from the local S3 engine, checks it is a JSON array, applies `MaxItems`, and keeps
 *   the items in a slot of the run's context object. `ResultPath: null`: the Map gets the same input.
 *   It has the Map's `Retry` and `Catch`, so a failed read (`States.ItemReaderFailed`) goes where the
 *   Map's failure would.
 * - the Map loses `ItemReader` and gets `ItemsPath: "$$.LocalItemReader.<slot>"`: the engine reads
 *   the items from the context object, so they never enter the state data (nor the Map's output).
 *   `ItemSelector` (with `$$.Map.Item.Value`), `MaxConcurrency`, `ResultPath` and the rest stay.
 *
 * The hidden state is left out of the execution history. Only top-level Map states may have an
 * ItemReader: each run has one context object, which concurrent iterations of an outer Map would share.
 */
export const ITEM_READER_RESOURCE = 'arn:aws:states:::local:itemReader';
/** The context object member that holds, per run, the items each bridged ItemReader read. */
export const ITEM_READER_CONTEXT_KEY = 'LocalItemReader';

export type ItemSlots = Record<string, JsonValue[]>;

/** Reads an object of the local S3 engine as text. */
export type ReadObject = (bucket: string, key: string) => Promise<string>;

export interface ItemReaderPlan {
  /** The hidden Task state. */
  readonly stateName: string;
  readonly mapStateName: string;
  readonly slot: string;
}

type JsonObject = { [key: string]: JsonValue };

const GET_OBJECT = /^arn:aws[\w-]*:states:::s3:getObject$/;

const itemReaderSchema = z.strictObject({
  Resource: z.string(),
  ReaderConfig: z
    .strictObject({
      InputType: z.string().optional(),
      MaxItems: z.number().int().positive().optional(),
      MaxItemsPath: z.string().optional(),
    })
    .optional(),
  Parameters: z.record(z.string(), jsonValue).optional(),
});

const jsonObject = z.record(z.string(), jsonValue);
const machineSchema = z.looseObject({ StartAt: z.string(), States: z.record(z.string(), jsonObject) });

/** The ASL with every top-level ItemReader bridged, and what each hidden state reads into which slot. */
export function bridgeItemReaders(
  definition: unknown,
  file: string,
): { readonly definition: unknown; readonly readers: readonly ItemReaderPlan[] } {
  const parsed = machineSchema.safeParse(definition);
  // Not an ASL machine: compileStateMachine reports that on its own terms.
  if (!parsed.success) return { definition, readers: [] };
  const machine = parsed.data;
  rejectNestedItemReaders(machine.States, file);

  const readers: ItemReaderPlan[] = [];
  const states: Record<string, JsonObject> = { ...machine.States };
  for (const [mapStateName, state] of Object.entries(machine.States)) {
    if (state.Type !== 'Map' || state.ItemReader === undefined) continue;
    const reader = parseItemReader(state, mapStateName, file);
    const stateName = `${mapStateName}.ItemReader`;
    if (Object.hasOwn(states, stateName)) {
      throw new Error(
        `${file}: state "${stateName}" is reserved for the local ItemReader bridge of "${mapStateName}"`,
      );
    }
    const slot = `m${readers.length}`;
    const { ItemReader: _reader, ...map } = state;
    states[mapStateName] = { ...map, ItemsPath: `$$.${ITEM_READER_CONTEXT_KEY}.${slot}` };
    states[stateName] = {
      Type: 'Task',
      Comment: `Local stand-in for the ItemReader of ${mapStateName}: aws-local-stepfunctions has none.`,
      Resource: ITEM_READER_RESOURCE,
      ...(state.InputPath !== undefined && { InputPath: state.InputPath }),
      Parameters: readerParameters(reader),
      ResultPath: null,
      ...(state.Retry !== undefined && { Retry: state.Retry }),
      ...(state.Catch !== undefined && { Catch: state.Catch }),
      Next: mapStateName,
    };
    readers.push({ stateName, mapStateName, slot });
  }
  if (readers.length === 0) return { definition, readers };

  const redirect = new Map(readers.map((reader) => [reader.mapStateName, reader.stateName]));
  const hidden = new Set(readers.map((reader) => reader.stateName));
  const redirected = Object.fromEntries(
    Object.entries(states).map(([name, state]) => [
      name,
      hidden.has(name) ? state : withTransitions(state, redirect),
    ]),
  );
  return {
    definition: { ...machine, StartAt: redirect.get(machine.StartAt) ?? machine.StartAt, States: redirected },
    readers,
  };
}

function parseItemReader(
  state: JsonObject,
  mapStateName: string,
  file: string,
): z.infer<typeof itemReaderSchema> {
  const where = `${file}: Map state "${mapStateName}"`;
  const parsed = itemReaderSchema.safeParse(state.ItemReader);
  if (!parsed.success)
    throw new Error(
      `${where} has an ItemReader the local bridge does not know: ${z.prettifyError(parsed.error)}`,
    );
  const reader = parsed.data;
  if (!GET_OBJECT.test(reader.Resource)) {
    throw new Error(
      `${where}: the local ItemReader bridge reads arn:aws:states:::s3:getObject only, not ${reader.Resource}`,
    );
  }
  if (reader.ReaderConfig?.InputType !== 'JSON') {
    throw new Error(`${where}: the local ItemReader bridge reads ReaderConfig.InputType JSON only`);
  }
  if (state.ItemsPath !== undefined) throw new Error(`${where} has both ItemReader and ItemsPath`);
  return reader;
}

/** The hidden task's Parameters: `Reader` resolves like the ItemReader's own, `MaxItems` like ReaderConfig's. */
function readerParameters(reader: z.infer<typeof itemReaderSchema>): JsonObject {
  const config = reader.ReaderConfig;
  return {
    Reader: reader.Parameters ?? {},
    ...(config?.MaxItems !== undefined && { MaxItems: config.MaxItems }),
    ...(config?.MaxItemsPath !== undefined && { 'MaxItems.$': config.MaxItemsPath }),
  };
}

/** A state whose transitions to a bridged Map go to its hidden reader instead. */
function withTransitions(state: JsonObject, redirect: ReadonlyMap<string, string>): JsonObject {
  const target = (name: JsonValue | undefined): JsonValue | undefined =>
    typeof name === 'string' ? (redirect.get(name) ?? name) : name;
  const withNext = (item: JsonValue): JsonValue =>
    item !== null && typeof item === 'object' && !Array.isArray(item) && 'Next' in item
      ? { ...item, Next: target(item.Next) ?? null }
      : item;
  return {
    ...state,
    ...(state.Next !== undefined && { Next: target(state.Next) ?? null }),
    ...(state.Default !== undefined && { Default: target(state.Default) ?? null }),
    ...(Array.isArray(state.Choices) && { Choices: state.Choices.map(withNext) }),
    ...(Array.isArray(state.Catch) && { Catch: state.Catch.map(withNext) }),
  };
}

function rejectNestedItemReaders(states: Record<string, JsonObject>, file: string): void {
  const nestedMachines = (state: JsonObject): JsonValue[] => [
    state.ItemProcessor ?? null,
    state.Iterator ?? null,
    ...(Array.isArray(state.Branches) ? state.Branches : []),
  ];
  const visit = (machine: JsonValue, path: string) => {
    const parsed = machineSchema.safeParse(machine);
    if (!parsed.success) return;
    for (const [name, state] of Object.entries(parsed.data.States)) {
      if (state.ItemReader !== undefined) {
        throw new Error(
          `${file}: Map state "${name}" inside "${path}" has an ItemReader; the local bridge supports top-level Map states only`,
        );
      }
      for (const nested of nestedMachines(state)) visit(nested, name);
    }
  };
  for (const [name, state] of Object.entries(states)) {
    for (const nested of nestedMachines(state)) visit(nested, name);
  }
}

const readRequest = z.object({
  Reader: z.object({ Bucket: z.string().min(1), Key: z.string().min(1) }).loose(),
  MaxItems: z.number().int().positive().optional(),
});

/**
 * The hidden task: reads the JSON array at `Reader.Bucket`/`Reader.Key`, keeps at most `MaxItems`
 * of it in `slots[plan.slot]` for the Map, and returns nothing (its ResultPath is null).
 */
export async function readItems(
  plan: ItemReaderPlan,
  input: JsonValue,
  readObject: ReadObject,
  slots: ItemSlots,
): Promise<JsonValue> {
  const request = readRequest.safeParse(input);
  if (!request.success) {
    throw new TaskFailure(
      'States.ItemReaderFailed',
      `${plan.mapStateName}: the ItemReader needs Parameters.Bucket and Parameters.Key: ${z.prettifyError(request.error)}`,
    );
  }
  const { Bucket, Key } = request.data.Reader;
  let text: string;
  try {
    text = await readObject(Bucket, Key);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new TaskFailure(
      'States.ItemReaderFailed',
      `${plan.mapStateName}: cannot read s3://${Bucket}/${Key}: ${reason}`,
    );
  }
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    throw new TaskFailure(
      'States.ItemReaderFailed',
      `${plan.mapStateName}: s3://${Bucket}/${Key} is not JSON`,
    );
  }
  const array = z.array(jsonValue).safeParse(items);
  if (!array.success) {
    throw new TaskFailure(
      'States.ItemReaderFailed',
      `${plan.mapStateName}: s3://${Bucket}/${Key} must hold a JSON array of items`,
    );
  }
  const { MaxItems } = request.data;
  slots[plan.slot] = MaxItems === undefined ? array.data : array.data.slice(0, MaxItems);
  return null;
}
