import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { AUTHORIZER_DENIAL_CONTEXT } from '../../../config/gateway-responses';
import { RolePolicyRepository } from '../../bulk-import/adapters/role-policy-repository';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { type AuthenticatedIdentity, settleIdentity } from '../../identity/use-cases/settle-identity';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { EventPublisher } from '../../shared/aws/event-publisher';
import { loadConfig } from '../../shared/config';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors';
import { readFlags } from '../../shared/flags';
import { correlationIdFrom, headerValue } from '../../shared/http/request-parsing';
import { logger } from '../../shared/observability';
import { eventBusConfig, oidcConfig, tableConfig } from '../../shared/runtime-config';
import { CORRELATION_HEADER, CSRF_HEADER } from '../claims';
import { authenticateRequest } from '../request-authentication';
import { TokenVerifier } from '../token-verifier';

const config = loadConfig(oidcConfig.extend(tableConfig.shape).extend(eventBusConfig.shape));
const verifier = new TokenVerifier({
  issuer: config.OIDC_ISSUER,
  audience: config.OIDC_AUDIENCE,
  jwksUrl: config.OIDC_JWKS_URL,
});
const documents = createDocumentClient();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const rolePolicies = new RolePolicyRepository(documents, config.TABLE_NAME);
const publisher = new EventPublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME);

/** Who a verified identity is in the directory: its user id, or undefined while it is unknown there. */
export type SettleIdentity = (identity: AuthenticatedIdentity) => Promise<string | undefined>;

/**
 * API Gateway REQUEST authorizer: verifies the bearer token or session cookie (with CSRF on
 * unsafe methods), settles who the identity is in the directory and hands both to the handler.
 * Settling happens here, before every principal route, so an identity's first request to any
 * route links it by verified email or auto-provisions it; a route then only reads, and may be
 * granted no write. A known identity costs one GetItem (its subject link); only a first sign-in
 * writes. A failure that is not about the credentials (the identity provider or the table
 * unreachable) is rethrown and becomes a 5xx, not a 401 or 403.
 */
export function createAuthorizer(settle: SettleIdentity) {
  return middy(async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const correlationId = correlationIdFrom(
      headerValue(event.headers, CORRELATION_HEADER),
      event.requestContext.requestId,
    );
    logger.setCorrelationId(correlationId);
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
      const { tenantId, issuer, subject, email, emailVerified } = identity;
      const userId = await settle({
        tenantId,
        issuer,
        subject,
        correlationId,
        ...(email && emailVerified === 'true' ? { verifiedEmail: email } : {}),
      });
      return policy(subject, 'Allow', event.methodArn, { ...identity, ...(userId ? { userId } : {}) });
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
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}

export const handler = createAuthorizer((identity) =>
  settleIdentity(
    {
      directory,
      defaultRolePolicy: (tenantId) => rolePolicies.get(tenantId),
      publish: (events) => publisher.publish(events),
      flags: () => readFlags(),
      clock: () => new Date(),
    },
    identity,
  ),
);

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
