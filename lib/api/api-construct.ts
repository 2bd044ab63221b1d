import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  RequestAuthorizer,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  AUTHORIZER_DENIAL_CONTEXT,
  GATEWAY_RESPONSES,
  type GatewayResponseDefinition,
} from '../../config/gateway-responses';
import type { RouteDefinition } from '../../config/routes';
import { CORRELATION_HEADER, CSRF_HEADER } from '../../functions/auth/claims';
import { createMusterFunction } from '../shared/muster-function';
import { acknowledge } from '../shared/nag';
import { grantResourceAccess, type SharedResources } from '../shared/resource-access';
import { applicationEnvironment, moduleAccess } from '../shared/runtime-environment';

export interface ApiConstructProps {
  /** Built after the workflows, so routes may start them (`workflow:<name>`). */
  readonly resources: SharedResources;
  readonly routes: readonly RouteDefinition[];
  readonly authorizer: Pick<RouteDefinition, 'entry' | 'export' | 'access'>;
  /**
   * Where the route functions (with their roles, policies and log groups) are created; the API's own
   * construct by default. MusterStack gives a nested stack: four resources a route, which would
   * otherwise crowd CloudFormation's 500-resource limit of the API's stack.
   */
  readonly functionScope?: Construct;
}

/**
 * The REST API: one Lambda per route of config/routes.ts, a Lambda REQUEST authorizer in front of every
 * `principal` route, and gateway responses that answer in Muster's JSON error envelope.
 */
export class ApiConstruct extends Construct {
  readonly restApi: RestApi;
  readonly authorizerFunction: NodejsFunction;
  /** Keyed by `METHOD /path`, as config/routes.ts spells a route. */
  readonly routeFunctions: ReadonlyMap<string, NodejsFunction>;

  constructor(scope: Construct, id: string, props: ApiConstructProps) {
    super(scope, id);
    const { resources } = props;
    const { settings } = resources;
    const environmentAccess = moduleAccess(props.routes);

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: settings.logRetention,
      removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.restApi = new RestApi(this, 'RestApi', {
      restApiName: `muster-${settings.name}`,
      description: 'Muster: bulk identity provisioning API',
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: settings.name,
        tracingEnabled: true,
        metricsEnabled: true,
        throttlingRateLimit: settings.throttling.rateLimit,
        throttlingBurstLimit: settings.throttling.burstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: accessLogFormat(),
      },
      defaultCorsPreflightOptions: {
        allowOrigins: settings.allowedOrigins,
        // The console signs in with a session cookie, so the browser must send credentials.
        allowCredentials: true,
        allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        allowHeaders: ['Content-Type', 'Authorization', CSRF_HEADER, CORRELATION_HEADER],
        exposeHeaders: [CORRELATION_HEADER],
        maxAge: Duration.hours(1),
      },
    });
    acknowledge(
      this.restApi.deploymentStage,
      'AwsSolutions-APIG6',
      'JSON access logs and X-Ray cover every request; execution logging needs the account-wide API Gateway CloudWatch role, which this stack deliberately does not own (@aws-cdk/aws-apigateway:disableCloudWatchRole).',
    );
    acknowledge(
      this.restApi.deploymentStage,
      'AwsSolutions-APIG3',
      'No WAF web ACL yet: stage throttling and the Lambda authorizer guard the API; adding a web ACL (and its cost) is an open decision recorded in docs/infrastructure.md.',
    );

    this.authorizerFunction = createMusterFunction(this, 'Authorizer', {
      settings,
      entry: props.authorizer.entry,
      handlerExport: props.authorizer.export,
      description: 'REQUEST authorizer: bearer token or session cookie',
      environment: applicationEnvironment(resources, props.authorizer.access),
    });
    grantResourceAccess(this.authorizerFunction, props.authorizer.access, resources);
    const authorizer = new RequestAuthorizer(this, 'RequestAuthorizer', {
      handler: this.authorizerFunction,
      // Credentials arrive as an Authorization header or a session cookie: with no identity source the
      // authorizer runs on every request and decides itself, which also rules out result caching.
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });

    // Handlers validate bodies with zod, as the local front does, so both answer malformed input alike;
    // the validator enforces whatever request models and required parameters a route declares.
    const requestValidator = this.restApi.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    const routeFunctions = new Map<string, NodejsFunction>();
    const functionScope = props.functionScope ?? this;
    for (const route of props.routes) {
      const routeKey = `${route.method} ${route.path}`;
      // The invoke permission follows the method (LambdaIntegration scopes it there), so it stays here.
      const fn = createMusterFunction(functionScope, routeFunctionId(route), {
        settings,
        entry: route.entry,
        handlerExport: route.export,
        description: routeKey,
        environment: applicationEnvironment(resources, environmentAccess.get(route.entry) ?? []),
        ...(route.timeoutSeconds === undefined ? {} : { timeout: Duration.seconds(route.timeoutSeconds) }),
      });
      grantResourceAccess(fn, route.access, resources);
      const method = this.restApi.root
        .resourceForPath(route.path)
        // No console test-invoke permission: only the deployed stage may invoke a route's function.
        .addMethod(route.method, new LambdaIntegration(fn, { allowTestInvoke: false }), {
          ...(route.auth === 'principal'
            ? { authorizationType: AuthorizationType.CUSTOM, authorizer }
            : { authorizationType: AuthorizationType.NONE }),
          requestValidator,
        });
      if (route.auth === 'public') {
        acknowledge(
          method,
          'AwsSolutions-APIG4',
          `${routeKey} is declared \`public\` in config/routes.ts, where route exposure is reviewed: it answers without credentials by design.`,
        );
      }
      routeFunctions.set(routeKey, fn);
    }
    this.routeFunctions = routeFunctions;

    this.addGatewayResponses();
    this.acknowledgeMethodAuthorization();
  }

  private addGatewayResponses(): void {
    const responses: readonly [ResponseType, GatewayResponseDefinition, string][] = [
      [ResponseType.UNAUTHORIZED, GATEWAY_RESPONSES.UNAUTHORIZED, 'Unauthorized'],
      [ResponseType.MISSING_AUTHENTICATION_TOKEN, GATEWAY_RESPONSES.ROUTE_NOT_FOUND, 'RouteNotFound'],
      [ResponseType.REQUEST_TOO_LARGE, GATEWAY_RESPONSES.REQUEST_TOO_LARGE, 'RequestTooLarge'],
      [ResponseType.THROTTLED, GATEWAY_RESPONSES.THROTTLED, 'Throttled'],
      [ResponseType.INTEGRATION_FAILURE, GATEWAY_RESPONSES.INTEGRATION_FAILURE, 'IntegrationFailure'],
    ];
    for (const [type, definition, id] of responses) {
      this.restApi.addGatewayResponse(id, {
        type,
        statusCode: String(definition.status),
        responseHeaders: responseHeaders(definition),
        templates: {
          'application/json': errorEnvelope(
            JSON.stringify(definition.code),
            JSON.stringify(definition.message),
          ),
        },
      });
    }

    // Gateway response templates only substitute variables (no VTL), so there is no fallback here:
    // the authorizer names the code and message of every Deny it returns.
    this.restApi.addGatewayResponse('AccessDenied', {
      type: ResponseType.ACCESS_DENIED,
      statusCode: String(GATEWAY_RESPONSES.ACCESS_DENIED.status),
      responseHeaders: responseHeaders(GATEWAY_RESPONSES.ACCESS_DENIED),
      templates: {
        'application/json': errorEnvelope(
          `"$context.authorizer.${AUTHORIZER_DENIAL_CONTEXT.code}"`,
          `"$context.authorizer.${AUTHORIZER_DENIAL_CONTEXT.message}"`,
        ),
      },
    });

    // Every other 5XX API Gateway produces (authorizer failure, integration timeout) keeps its own
    // status code, so clients can tell a timeout from a crash, but answers in the same envelope.
    const upstream = GATEWAY_RESPONSES.INTEGRATION_FAILURE;
    this.restApi.addGatewayResponse('Default5xx', {
      type: ResponseType.DEFAULT_5XX,
      responseHeaders: responseHeaders(upstream),
      templates: {
        'application/json': errorEnvelope(JSON.stringify(upstream.code), JSON.stringify(upstream.message)),
      },
    });
  }

  private acknowledgeMethodAuthorization(): void {
    for (const method of this.restApi.methods) {
      acknowledge(
        method,
        'AwsSolutions-COG4',
        'Principals come from the customer OIDC provider, verified by the Lambda REQUEST authorizer, not from Cognito.',
      );
      if (method.httpMethod === 'OPTIONS') {
        acknowledge(
          method,
          'AwsSolutions-APIG4',
          'CORS preflight: browsers send OPTIONS without credentials, and the mock integration reaches no backend.',
        );
      }
    }
  }
}

/**
 * `Content-Type` and the definition's own headers, as static gateway response parameters: a value in
 * single quotes. API Gateway documents only request parameters (`method.request.*`) and static values
 * as sources here, so the request id (in the body as `$context.requestId`) cannot be a header.
 */
function responseHeaders(definition: GatewayResponseDefinition): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...definition.headers };
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      if (value.includes("'")) {
        throw new Error(`Gateway response header ${name}: a static value cannot contain a single quote`);
      }
      return [name, `'${value}'`];
    }),
  );
}

/** The JSON error envelope, with code and message given as JSON string literals. */
function errorEnvelope(codeLiteral: string, messageLiteral: string): string {
  return `{"error":{"code":${codeLiteral},"message":${messageLiteral}},"correlationId":"$context.requestId"}`;
}

/** `GET /v1/admin/users/{userId}` → `GetV1AdminUsersUserId`: a stable construct id per route. */
export function routeFunctionId(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  const words = [route.method.toLowerCase(), ...route.path.split(/[^A-Za-z0-9]+/)].filter(
    (word) => word !== '',
  );
  return words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      extendedRequestId: AccessLogField.contextExtendedRequestId(),
      requestTime: AccessLogField.contextRequestTime(),
      httpMethod: AccessLogField.contextHttpMethod(),
      resourcePath: AccessLogField.contextResourcePath(),
      path: AccessLogField.contextPath(),
      status: AccessLogField.contextStatus(),
      protocol: AccessLogField.contextProtocol(),
      responseLength: AccessLogField.contextResponseLength(),
      responseLatency: AccessLogField.contextResponseLatency(),
      integrationLatency: AccessLogField.contextIntegrationLatency(),
      sourceIp: AccessLogField.contextIdentitySourceIp(),
      userAgent: AccessLogField.contextIdentityUserAgent(),
      tenantId: AccessLogField.contextAuthorizer('tenantId'),
      authorizerError: AccessLogField.contextAuthorizerError(),
      errorType: AccessLogField.contextErrorResponseType(),
      errorMessage: AccessLogField.contextErrorMessage(),
      xrayTraceId: AccessLogField.contextXrayTraceId(),
    }),
  );
}
