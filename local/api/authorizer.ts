import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { z } from 'zod';
import { AUTHORIZER_DENIAL_CONTEXT } from '../../config/gateway-responses';
import type { AuthorizerContext } from './proxy-event';

const stringOrList = z.union([z.string(), z.array(z.string())]);
const statementSchema = z.object({
  Effect: z.enum(['Allow', 'Deny']),
  Action: stringOrList,
  Resource: stringOrList,
});
const authorizerResultSchema = z.object({
  principalId: z.string().min(1),
  policyDocument: z.object({ Version: z.string(), Statement: z.array(statementSchema) }),
  // API Gateway refuses nested values in the context (an authorizer configuration error).
  context: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullish(),
});
type PolicyStatement = z.infer<typeof statementSchema>;

export type AuthorizationOutcome =
  | { readonly kind: 'allowed'; readonly context: AuthorizerContext }
  | { readonly kind: 'unauthorized' }
  | { readonly kind: 'denied'; readonly code?: string; readonly message?: string }
  | { readonly kind: 'failed'; readonly error: unknown };

/**
 * Runs the REQUEST authorizer as API Gateway does: `throw new Error('Unauthorized')` is a 401; a
 * policy that does not allow `execute-api:Invoke` on the method ARN is a 403; an allowing policy's
 * context reaches the handler with every value as a string, plus `principalId`. Anything else
 * (another error, a malformed result) is the authorizer's failure.
 */
export async function authorize(
  invokeAuthorizer: (event: APIGatewayRequestAuthorizerEvent) => Promise<unknown>,
  event: APIGatewayRequestAuthorizerEvent,
): Promise<AuthorizationOutcome> {
  const started = Date.now();
  let result: unknown;
  try {
    result = await invokeAuthorizer(event);
  } catch (error) {
    if (error instanceof Error && error.message === 'Unauthorized') return { kind: 'unauthorized' };
    return { kind: 'failed', error };
  }
  const parsed = authorizerResultSchema.safeParse(result);
  if (!parsed.success) {
    return { kind: 'failed', error: new Error(`malformed authorizer result: ${parsed.error.message}`) };
  }
  const { principalId, policyDocument, context } = parsed.data;
  if (!policyAllows(policyDocument.Statement, event.methodArn)) {
    const code = context?.[AUTHORIZER_DENIAL_CONTEXT.code];
    const message = context?.[AUTHORIZER_DENIAL_CONTEXT.message];
    return {
      kind: 'denied',
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof message === 'string' ? { message } : {}),
    };
  }
  const stringified = Object.fromEntries(
    Object.entries(context ?? {}).flatMap(([name, value]) => (value === null ? [] : [[name, String(value)]])),
  );
  return {
    kind: 'allowed',
    context: { ...stringified, principalId, integrationLatency: Date.now() - started },
  };
}

/** IAM evaluation for the one action API Gateway asks about: an explicit Deny wins, then any Allow. */
export function policyAllows(statements: readonly PolicyStatement[], methodArn: string): boolean {
  const applies = (statement: PolicyStatement) =>
    // Action names are case-insensitive in IAM; resources are not.
    list(statement.Action).some((action) => globMatches(action.toLowerCase(), 'execute-api:invoke')) &&
    list(statement.Resource).some((resource) => globMatches(resource, methodArn));
  const applicable = statements.filter(applies);
  return applicable.some((s) => s.Effect === 'Allow') && !applicable.some((s) => s.Effect === 'Deny');
}

function list(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}

/** IAM wildcards: `*` any run of characters, `?` any one character. */
function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(value);
}
