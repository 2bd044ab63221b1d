import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AUTHORIZER_DENIAL_CONTEXT, GATEWAY_RESPONSES } from '../../config/gateway-responses';
import { ACCESS_ENVIRONMENT, accessVariables } from '../../config/resource-access';
import { AUTHORIZER, ROUTES } from '../../config/routes';
import { CORRELATION_HEADER } from '../../functions/auth/claims';
import { flagEnvironment } from '../../functions/shared/flags';
import { ApiConstruct, routeFunctionId } from '../../lib/api/api-construct';
import type { EnvironmentName } from '../../lib/config/environments';
import { moduleAccess } from '../../lib/shared/runtime-environment';
import {
  allowedActions,
  createTestStack,
  defined,
  environmentOf,
  logicalIdOf,
  sharedResources,
} from './support';

function synthesize(environment: EnvironmentName) {
  const stack = createTestStack();
  const { resources, settings, storage, bus } = sharedResources(stack, environment);
  const api = new ApiConstruct(stack, 'Api', { resources, routes: ROUTES, authorizer: AUTHORIZER });
  return { template: Template.fromStack(stack), api, table: storage.table, bus, settings };
}

const dev = synthesize('dev');
const prod = synthesize('prod');
const { template, api } = dev;

const routeFunction = (method: string, path: string) =>
  defined(api.routeFunctions.get(`${method} ${path}`), `${method} ${path}`);

/** An API Gateway Lambda invocation URI that names the given function. */
const invoking = (functionLogicalId: string) => ({
  'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [functionLogicalId, 'Arn'] }])],
});

/** The API Gateway resource of a path, by walking the template's PathPart tree. */
function resourceIdOf(path: string): string {
  const resources = template.findResources('AWS::ApiGateway::Resource');
  let parent: unknown = { 'Fn::GetAtt': [logicalIdOf(api.restApi), 'RootResourceId'] };
  let id = '';
  for (const part of path.split('/').filter((segment) => segment !== '')) {
    const match = Object.entries(resources).find(
      ([, resource]) =>
        resource.Properties.PathPart === part &&
        JSON.stringify(resource.Properties.ParentId) === JSON.stringify(parent),
    );
    id = defined(match, `resource ${part} of ${path}`)[0];
    parent = { Ref: id };
  }
  return id;
}

describe('ApiConstruct routes', () => {
  it('builds one function per route, running the route export', () => {
    for (const route of ROUTES) {
      const fn = routeFunction(route.method, route.path);
      expect(fn.node.id).toBe(routeFunctionId(route));
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: `index.${route.export}`,
        Description: `${route.method} ${route.path}`,
      });
    }
    expect(api.routeFunctions.size).toBe(ROUTES.length);
  });

  it('lets only the deployed stage invoke a route function: one permission each, no console test-invoke', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(
      (resource) => resource.Properties,
    );
    for (const route of ROUTES) {
      const id = logicalIdOf(routeFunction(route.method, route.path));
      const own = permissions.filter(
        (permission) =>
          JSON.stringify(permission.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }),
      );
      expect(own, `${route.method} ${route.path}`).toHaveLength(1);
      expect(JSON.stringify(own[0]?.SourceArn)).not.toContain('test-invoke-stage');
    }
  });

  it('puts the authorizer in front of principal routes and nothing in front of public ones', () => {
    const authorizerId = defined(
      Object.keys(template.findResources('AWS::ApiGateway::Authorizer'))[0],
      'the authorizer',
    );
    for (const route of ROUTES) {
      const fn = routeFunction(route.method, route.path);
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: route.method,
        ResourceId: { Ref: resourceIdOf(route.path) },
        Integration: Match.objectLike({ Type: 'AWS_PROXY', Uri: invoking(logicalIdOf(fn)) }),
        ...(route.auth === 'principal'
          ? { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } }
          : { AuthorizationType: 'NONE', AuthorizerId: Match.absent() }),
      });
    }
  });

  it('runs a REQUEST authorizer on every request: no identity source, no result cache', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: '',
      AuthorizerResultTtlInSeconds: 0,
      AuthorizerUri: invoking(logicalIdOf(api.authorizerFunction)),
    });
    expect(template.toJSON().Resources[logicalIdOf(api.authorizerFunction)].Properties.Handler).toBe(
      `index.${AUTHORIZER.export}`,
    );
  });

  it('gives the authorizer the OIDC settings, the flags, and the table and bus a first sign-in writes to', () => {
    const variables = environmentOf(template, api.authorizerFunction);
    expect(variables).toMatchObject({
      OIDC_ISSUER: dev.settings.oidc.issuer,
      OIDC_JWKS_URL: dev.settings.oidc.jwksUrl,
      OIDC_AUDIENCE: dev.settings.oidc.audience,
      TABLE_NAME: { Ref: logicalIdOf(dev.table) },
      EVENT_BUS_NAME: { Ref: logicalIdOf(dev.bus) },
      ...flagEnvironment(dev.settings.flags),
    });
    const resourceVariables = new Set<string>(Object.values(ACCESS_ENVIRONMENT).flat());
    expect(
      Object.keys(variables)
        .filter((name) => resourceVariables.has(name))
        .sort(),
    ).toEqual(accessVariables(AUTHORIZER.access).sort());
  });

  it('gives every route function the OIDC settings, environment name and flags', () => {
    for (const [environment, { template: synthesized, api: built, settings }] of [
      ['dev', dev],
      ['prod', prod],
    ] as const) {
      for (const fn of built.routeFunctions.values()) {
        expect(environmentOf(synthesized, fn), `${environment} ${fn.node.id}`).toMatchObject({
          OIDC_ISSUER: settings.oidc.issuer,
          OIDC_JWKS_URL: settings.oidc.jwksUrl,
          OIDC_AUDIENCE: settings.oidc.audience,
          MUSTER_ENV: environment,
          ...flagEnvironment(settings.flags),
        });
      }
    }
  });

  it('names exactly the resources the routes of its module have access to (config/resource-access.ts)', () => {
    const byModule = moduleAccess(ROUTES);
    const allAccessVariables = new Set<string>(Object.values(ACCESS_ENVIRONMENT).flat());
    for (const route of ROUTES) {
      const variables = Object.keys(environmentOf(template, routeFunction(route.method, route.path)));
      const expected = accessVariables(byModule.get(route.entry) ?? []);
      expect(
        variables.filter((name) => allAccessVariables.has(name)).sort(),
        `${route.method} ${route.path}`,
      ).toEqual([...expected].sort());
    }
    expect(environmentOf(template, routeFunction('PATCH', '/v1/me'))).toMatchObject({
      TABLE_NAME: { Ref: logicalIdOf(dev.table) },
      EVENT_BUS_NAME: { Ref: logicalIdOf(dev.bus) },
    });
    // GET and PATCH /v1/me share a module, so a cold start of either reads the bus name PATCH publishes to.
    expect(environmentOf(template, routeFunction('GET', '/v1/me'))).toHaveProperty('EVENT_BUS_NAME');
  });

  it('keeps user management dark in prod through the flag variables', () => {
    for (const fn of prod.api.routeFunctions.values()) {
      expect(environmentOf(prod.template, fn)).toMatchObject({
        USER_MGMT_CORE: 'false',
        USER_MGMT_UI: 'false',
        USER_MGMT_ENFORCE: 'false',
        OIDC_AUTO_PROVISION_USERS: 'false',
        USER_BULK_IMPORT: 'true',
      });
    }
  });
});

describe('ApiConstruct grants', () => {
  const WRITE_ACTIONS = /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$|^events:PutEvents$/;

  it.each([
    ['GET', '/v1/admin/users'],
    ['GET', '/internal/iam/users/bulk-import/{taskId}'],
    // A first sign-in is settled by the authorizer, so even the client's first call only reads.
    ['GET', '/v1/me'],
  ])('grants a read-only route (%s %s) no write action', (method, path) => {
    const actions = allowedActions(template, routeFunction(method, path));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    expect(actions.filter((action) => WRITE_ACTIONS.test(action))).toEqual([]);
  });

  it('grants the authorizer writes on the table and PutEvents on the bus, for a first sign-in', () => {
    const role = logicalIdOf(defined(api.authorizerFunction.role));
    const actions = allowedActions(template, api.authorizerFunction);
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'events:PutEvents',
      ]),
    );
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: role }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['dynamodb:PutItem', 'dynamodb:UpdateItem']),
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(dev.table), 'Arn'] }]),
          }),
          Match.objectLike({
            Action: 'events:PutEvents',
            Resource: { 'Fn::GetAtt': [logicalIdOf(dev.bus), 'Arn'] },
          }),
        ]),
      },
    });
    // Nothing beyond table and bus: no bucket, workflow or mail.
    expect(actions.filter((action) => /^(s3|states|ses):/.test(action))).toEqual([]);
  });

  it('grants a writing, publishing route both, scoped to the table and the bus', () => {
    const actions = allowedActions(template, routeFunction('PATCH', '/v1/me'));
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'events:PutEvents']),
    );
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(defined(routeFunction('PATCH', '/v1/me').role)) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'events:PutEvents',
            Resource: { 'Fn::GetAtt': [logicalIdOf(dev.bus), 'Arn'] },
          }),
        ]),
      },
    });
  });

  it('grants a route with no declared access nothing but logs and traces', () => {
    const actions = allowedActions(template, routeFunction('GET', '/health'));
    expect(actions.filter((action) => !action.startsWith('xray:'))).toEqual([]);
  });
});

const SAMPLE_REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';

/**
 * What API Gateway does with a gateway response template: no VTL, each `$context.<name>` replaced by
 * the variable's value as is, with no escaping. An unknown variable fails the test.
 */
function renderGatewayTemplate(body: string, context: Readonly<Record<string, string>>): string {
  return body.replace(/\$context\.([A-Za-z0-9_.]+)/g, (_match, name: string) => {
    const value = context[name];
    if (value === undefined)
      throw new Error(`the template uses $context.${name}, which the test does not set`);
    return value;
  });
}

/** `{ 'retry-after': '1' }` → `{ 'gatewayresponse.header.retry-after': "'1'" }`. */
function staticHeaderParameters(headers: Readonly<Record<string, string>> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [`gatewayresponse.header.${name}`, `'${value}'`]),
  );
}

describe('ApiConstruct gateway responses', () => {
  const responseOf = (type: string) => {
    const responses = Object.values(
      template.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: type } }),
    );
    expect(responses, type).toHaveLength(1);
    return responses[0]?.Properties;
  };

  it.each([
    ['UNAUTHORIZED', GATEWAY_RESPONSES.UNAUTHORIZED],
    ['MISSING_AUTHENTICATION_TOKEN', GATEWAY_RESPONSES.ROUTE_NOT_FOUND],
    ['REQUEST_TOO_LARGE', GATEWAY_RESPONSES.REQUEST_TOO_LARGE],
    ['THROTTLED', GATEWAY_RESPONSES.THROTTLED],
    ['INTEGRATION_FAILURE', GATEWAY_RESPONSES.INTEGRATION_FAILURE],
  ])('answers %s in the JSON error envelope', (type, definition) => {
    const response = responseOf(type);
    expect(response.StatusCode).toBe(String(definition.status));
    expect(response.ResponseParameters).toEqual({
      'gatewayresponse.header.Content-Type': "'application/json'",
      ...staticHeaderParameters(definition.headers),
    });
    expect(JSON.parse(response.ResponseTemplates['application/json'])).toEqual({
      error: { code: definition.code, message: definition.message },
      correlationId: '$context.requestId',
    });
  });

  it('tells a throttled client when to retry, as a static Retry-After header', () => {
    expect(responseOf('THROTTLED').ResponseParameters).toMatchObject({
      'gatewayresponse.header.retry-after': "'1'",
    });
  });

  it('sends no correlation header: API Gateway can only map request parameters and static values there', () => {
    for (const response of Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'))) {
      const headers = Object.keys(response.Properties.ResponseParameters ?? {}).map((key) =>
        key.toLowerCase(),
      );
      expect(headers).not.toContain(`gatewayresponse.header.${CORRELATION_HEADER}`);
    }
  });

  it('answers ACCESS_DENIED with the code and message the authorizer named', () => {
    const response = responseOf('ACCESS_DENIED');
    expect(response.StatusCode).toBe('403');
    expect(JSON.parse(response.ResponseTemplates['application/json'])).toEqual({
      error: {
        code: `$context.authorizer.${AUTHORIZER_DENIAL_CONTEXT.code}`,
        message: `$context.authorizer.${AUTHORIZER_DENIAL_CONTEXT.message}`,
      },
      correlationId: '$context.requestId',
    });
  });

  it('renders ACCESS_DENIED as valid JSON once API Gateway pastes in the denial context raw', () => {
    const body = responseOf('ACCESS_DENIED').ResponseTemplates['application/json'];
    const denials = [
      { code: 'CSRF_TOKEN_MISSING', message: 'Send the x-csrf-token header on unsafe methods.' },
      { code: 'CSRF_TOKEN_MISMATCH', message: "The x-csrf-token header does not match the session's token." },
      { code: 'ACCOUNT_DEACTIVATED', message: 'Ce compte est désactivé — contactez un administrateur.' },
    ];
    for (const { code, message } of denials) {
      const rendered = renderGatewayTemplate(body, {
        [`authorizer.${AUTHORIZER_DENIAL_CONTEXT.code}`]: code,
        [`authorizer.${AUTHORIZER_DENIAL_CONTEXT.message}`]: message,
        requestId: SAMPLE_REQUEST_ID,
      });
      expect(JSON.parse(rendered), message).toEqual({
        error: { code, message },
        correlationId: SAMPLE_REQUEST_ID,
      });
    }
    // Why the authorizer's denial messages must avoid quotes, backslashes and control characters:
    for (const unsafe of ['say "please"', 'ends with a backslash \\', 'two\nlines']) {
      const rendered = renderGatewayTemplate(body, {
        [`authorizer.${AUTHORIZER_DENIAL_CONTEXT.code}`]: 'FORBIDDEN',
        [`authorizer.${AUTHORIZER_DENIAL_CONTEXT.message}`]: unsafe,
        requestId: SAMPLE_REQUEST_ID,
      });
      expect(() => JSON.parse(rendered), unsafe).toThrow();
    }
  });

  it('renders every other gateway response to the envelope with the request id', () => {
    for (const type of [
      'UNAUTHORIZED',
      'MISSING_AUTHENTICATION_TOKEN',
      'REQUEST_TOO_LARGE',
      'THROTTLED',
      'INTEGRATION_FAILURE',
      'DEFAULT_5XX',
    ]) {
      const body = responseOf(type).ResponseTemplates['application/json'];
      const rendered = renderGatewayTemplate(body, { requestId: SAMPLE_REQUEST_ID });
      expect(JSON.parse(rendered).correlationId, type).toBe(SAMPLE_REQUEST_ID);
    }
  });

  it('answers every other 5XX in the envelope while keeping its status code', () => {
    const response = responseOf('DEFAULT_5XX');
    expect(response.StatusCode).toBeUndefined();
    expect(JSON.parse(response.ResponseTemplates['application/json']).error.code).toBe(
      GATEWAY_RESPONSES.INTEGRATION_FAILURE.code,
    );
  });
});

describe('ApiConstruct stage', () => {
  it('traces, emits metrics, throttles as configured and writes JSON access logs', () => {
    for (const { template: synthesized, settings } of [dev, prod]) {
      synthesized.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: settings.name,
        TracingEnabled: true,
        MethodSettings: [
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            MetricsEnabled: true,
            ThrottlingRateLimit: settings.throttling.rateLimit,
            ThrottlingBurstLimit: settings.throttling.burstLimit,
          }),
        ],
        AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      });
    }
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    const format = JSON.parse(stage?.Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      tenantId: '$context.authorizer.tenantId',
    });
  });

  it('validates request bodies and parameters on every route method', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    const validatorId = Object.keys(template.findResources('AWS::ApiGateway::RequestValidator'))[0];
    const routeMethods = Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
      (method) => method.Properties.HttpMethod !== 'OPTIONS',
    );
    expect(routeMethods).toHaveLength(ROUTES.length);
    for (const method of routeMethods) {
      expect(method.Properties.RequestValidatorId).toEqual({ Ref: validatorId });
    }
  });

  it('answers CORS preflight for the configured origins, with credentials for cookie sessions', () => {
    const preflights = Object.values(
      prod.template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }),
    );
    expect(preflights.length).toBeGreaterThan(0);
    for (const preflight of preflights) {
      expect(preflight.Properties.AuthorizationType).toBe('NONE');
      const headers = preflight.Properties.Integration.IntegrationResponses[0].ResponseParameters;
      expect(headers).toMatchObject({
        'method.response.header.Access-Control-Allow-Origin': `'${prod.settings.allowedOrigins[0]}'`,
        'method.response.header.Access-Control-Allow-Credentials': "'true'",
      });
      expect(headers['method.response.header.Access-Control-Allow-Headers']).toContain('x-csrf-token');
    }
  });
});

describe('routeFunctionId', () => {
  it('turns method and path into a readable construct id', () => {
    expect(routeFunctionId({ method: 'GET', path: '/health' })).toBe('GetHealth');
    expect(routeFunctionId({ method: 'PUT', path: '/v1/admin/users/{userId}/roles' })).toBe(
      'PutV1AdminUsersUserIdRoles',
    );
    expect(routeFunctionId({ method: 'POST', path: '/api/v1/$batch' })).toBe('PostApiV1Batch');
  });
});
