import { z } from 'zod';

/**
 * Reads configuration from the environment once, at cold start, and fails fast: a missing or
 * malformed value throws before the first request is served, naming every offending variable.
 * Names of tables, buckets and buses never get a default.
 */
export function loadConfig<TSchema extends z.ZodType>(
  schema: TSchema,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<TSchema> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`,
    );
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

/** An environment variable that must be present and non-blank. */
export const requiredName = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
  .trim()
  .min(1, 'is required');

/** `true` for 1/true/yes/on (any case), `false` for anything else or unset (seed 003). */
export function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}
