import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { AUTHORIZER_DENIAL_CONTEXT } from '../../../config/gateway-responses';
import { loadConfig } from '../../shared/config';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors';
import { correlationIdFrom, headerValue } from '../../shared/http/request-parsing';
import { logger } from '../../shared/observability';
import { oidcConfig } from '../../shared/runtime-config';
import { CORRELATION_HEADER, CSRF_HEADER } from '../claims';
import { authenticateRequest } from '../request-authentication';
import { TokenVerifier } from '../token-verifier';

const config = loadConfig(oidcConfig);
const verifier = new TokenVerifier({
  issuer: config.OIDC_ISSUER,
  audience: config.OIDC_AUDIENCE,
  jwksUrl: config.OIDC_JWKS_URL,
});

/**
 * API Gateway REQUEST authorizer: verifies the bearer token or session cookie (with CSRF on
 * unsafe methods) and hands the verified identity to the handler. It reads no table, so it is
 * fast; the handler resolves the identity to a directory user. A failure that is not about the
 * credentials (the identity provider unreachable) is rethrown and becomes a 5xx, not a 401.
 */
export const handler = middy(
  async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    logger.setCorrelationId(
      correlationIdFrom(headerValue(event.headers, CORRELATION_HEADER), event.requestContext.requestId),
    );
    try {
      const identity = await authenticateRequest(
        {
          method: event.httpMethod,
          authorization: headerValue(event.headers, 'authorization'),
          cookie: headerValue(event.headers, 'cookie'),
          csrfHeader: headerValue(event.headers, CSRF_HEADER),
        },
        (token) => verifier.verify(token),
      );
      return policy(identity.subject, 'Allow', event.methodArn, identity);
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        logger.info('Request not authenticated', { code: error.code });
        // API Gateway answers 401 only for this exact message.
        throw new Error('Unauthorized');
      }
      if (error instanceof ForbiddenError) {
        logger.info('Request refused by the authorizer', { code: error.code });
        return policy('anonymous', 'Deny', event.methodArn, {
          [AUTHORIZER_DENIAL_CONTEXT.code]: templateSafe(error.code),
          [AUTHORIZER_DENIAL_CONTEXT.message]: templateSafe(error.message),
        });
      }
      logger.error('Authorizer failed', error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  },
).use(injectLambdaContext(logger, { resetKeys: true }));

/**
 * API Gateway pastes the denial into its JSON response template without escaping anything, so a
 * quote, backslash or control character would break the JSON a client receives.
 */
export function templateSafe(text: string): string {
  return text
    .replaceAll('"', "'")
    .replaceAll('\\', '/')
    .replace(/\p{Cc}/gu, ' ');
}

function policy(
  principalId: string,
  effect: 'Allow' | 'Deny',
  resource: string,
  context: Record<string, string>,
): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
    context,
  };
}
