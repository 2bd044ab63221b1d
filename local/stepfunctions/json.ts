import { z } from 'zod';

export const jsonValue = z.json();
export type JsonValue = z.infer<typeof jsonValue>;

/** Parses JSON text, or returns undefined when the text is not JSON. */
export function parseJson(text: string): JsonValue | undefined {
  try {
    return jsonValue.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** What a value becomes once it crossed a JSON wire (a Lambda response): `undefined` turns into null. */
export function asJson(value: unknown): JsonValue {
  return jsonValue.parse(JSON.parse(JSON.stringify(value ?? null)));
}
