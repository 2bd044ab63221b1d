import { DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { RestApiOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import {
  CONSOLE_PATH,
  CONSOLE_REFERRER_POLICY,
  consoleContentSecurityPolicy,
} from '../../config/console-hosting';
import type { EnvironmentSettings } from '../config/environments';
import { acknowledge, acknowledgeFrameworkLambda, bucketObjectsFinding } from '../shared/nag';
import { UploadsCors } from './uploads-cors';

export interface ConsoleConstructProps {
  readonly settings: EnvironmentSettings;
  /** Served on the console's own origin under its API paths, so the session cookie stays first-party. */
  readonly restApi: RestApi;
  /** The page uploads to and downloads from these buckets with presigned URLs (CSP `connect-src`). */
  readonly directAccessBuckets: readonly IBucket[];
  /** The bucket the page uploads to: its CORS lists the console's origin and `settings.allowedOrigins`. */
  readonly uploadsBucket: IBucket;
  /**
   * The web build (`web/dist`) to publish under `console/`; undefined deploys the hosting without
   * files (the stack passes it only when the build exists, so `cdk synth` needs no web build).
   */
  readonly assetsDirectory?: string;
}

/** The API's path prefixes, served by API Gateway behind the console's origin. */
export const API_PATH_PATTERNS = ['/v1/*', '/api/*', '/internal/*', '/openapi.json', '/health'] as const;

const HSTS_MAX_AGE = Duration.days(365);

/**
 * The admin console in AWS: a private bucket behind CloudFront (Origin Access Control), with the
 * API on the same origin (API paths go to the API Gateway stage, uncached, with cookies and every
 * viewer header but Host), and the security headers of config/console-hosting.ts on every answer.
 */
export class ConsoleConstruct extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly consoleUrl: string;

  constructor(scope: Construct, id: string, props: ConsoleConstructProps) {
    super(scope, id);
    const { settings } = props;
    const removalPolicy = settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // CloudFront standard logs are written with ACLs, so this bucket alone keeps object ownership by the writer.
    const logsBucket = new Bucket(this, 'LogsBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: settings.retainData ? Duration.days(365) : Duration.days(30) }],
      removalPolicy,
      autoDeleteObjects: !settings.retainData,
    });
    acknowledge(
      logsBucket,
      'AwsSolutions-S1',
      "This bucket receives the console bucket's and the distribution's access logs; logging it to itself would loop.",
    );

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: logsBucket,
      serverAccessLogsPrefix: 's3/',
      // Built files are reproducible from the repository: nothing here needs retaining.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    const responseHeadersPolicy = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `Muster ${settings.name} console: CSP, HSTS, no framing, nosniff, referrer policy`,
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy(
            props.directAccessBuckets.map((bucket) => `https://${bucket.bucketRegionalDomainName}`),
          ),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: HSTS_MAX_AGE,
          includeSubdomains: true,
          override: true,
        },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: referrerPolicyOf(CONSOLE_REFERRER_POLICY), override: true },
      },
    });

    // Client-side routes (no file extension) get index.html; `/` goes to the console.
    const rewrite = new CloudFrontFunction(this, 'ConsoleRouting', {
      comment: 'Serves index.html for the console client routes',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(consoleRoutingCode()),
    });

    const apiBehavior = {
      origin: new RestApiOrigin(props.restApi),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // API Gateway routes by its own Host name; cookies, query strings and the other headers pass through.
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Muster ${settings.name} admin console and API`,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logsBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy,
        functionAssociations: [{ function: rewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: Object.fromEntries(API_PATH_PATTERNS.map((pattern) => [pattern, apiBehavior])),
    });
    acknowledgeDistribution(this.distribution);

    if (props.assetsDirectory !== undefined) {
      const deployment = new BucketDeployment(this, 'Assets', {
        sources: [Source.asset(props.assetsDirectory)],
        destinationBucket: this.bucket,
        destinationKeyPrefix: CONSOLE_PATH.slice(1),
        distribution: this.distribution,
        distributionPaths: [`${CONSOLE_PATH}/*`],
        prune: true,
      });
      acknowledgeBucketDeployment(deployment, this.bucket);
    }

    const consoleOrigin = `https://${this.distribution.distributionDomainName}`;
    new UploadsCors(this, 'UploadsCors', {
      uploadsBucket: props.uploadsBucket,
      origins: [consoleOrigin, ...settings.allowedOrigins],
    });
    this.consoleUrl = `${consoleOrigin}${CONSOLE_PATH}/`;
  }
}

function referrerPolicyOf(policy: string): HeadersReferrerPolicy {
  const match = Object.values(HeadersReferrerPolicy).find((candidate) => candidate === policy);
  if (match === undefined) throw new Error(`CloudFront has no referrer policy ${policy}`);
  return match;
}

/** CloudFront Functions run cloudfront-js-2.0: plain ES5-style JavaScript, no imports. */
function consoleRoutingCode(): string {
  return `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '${CONSOLE_PATH}') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '${CONSOLE_PATH}/' } } };
  }
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (uri.indexOf('${CONSOLE_PATH}/') === 0 && last.indexOf('.') === -1) {
    request.uri = '${CONSOLE_PATH}/index.html';
  }
  return request;
}`;
}

function acknowledgeDistribution(distribution: Distribution): void {
  acknowledge(
    distribution,
    'AwsSolutions-CFR1',
    'No geo restriction: tenant administrators sign in from any country; access is guarded by the session and the API authorizer.',
  );
  acknowledge(
    distribution,
    'AwsSolutions-CFR2',
    'No WAF web ACL yet, as for the API stage (APIG3): adding one (and its cost) is an open decision recorded in docs/infrastructure.md.',
  );
  acknowledge(
    distribution,
    'AwsSolutions-CFR4',
    'The distribution uses the default *.cloudfront.net certificate until a custom domain with an ACM certificate is configured; only a custom certificate can pin TLS 1.2.',
  );
}

/**
 * BucketDeployment adds a stack-level singleton CDK framework function that copies the build into
 * the bucket and invalidates the distribution; it is found by its construct id and acknowledged there.
 */
function acknowledgeBucketDeployment(deployment: IConstruct, bucket: IBucket): void {
  const stack = Stack.of(deployment);
  const handler = stack.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (handler === undefined)
    throw new Error('BucketDeployment added no Custom::CDKBucketDeployment function');
  const reason =
    'it only copies the console build from the CDK asset bucket into the console bucket and invalidates the distribution, during deployment.';
  acknowledgeFrameworkLambda(handler, reason);
  const findings: Record<string, string> = {
    'Action::s3:GetObject*':
      "CDK's read grant on the build's asset object (reading objects and their versions)",
    'Action::s3:GetBucket*': "CDK's read grant on the asset bucket (its location and versioning)",
    'Action::s3:List*':
      "CDK's read and write grants (listing the console bucket, to prune files of older builds)",
    'Action::s3:DeleteObject*': 'pruning the files of older builds from the console bucket',
    'Action::s3:Abort*': 'aborting its own multipart uploads of large bundles into the console bucket',
    [bucketObjectsFinding(bucket).replace('AwsSolutions-IAM5[', '').replace(/\]$/, '')]:
      'the files of the console bucket, which hold nothing but the build',
    [`Resource::${assetBucketObjects(stack)}`]:
      "the CDK bootstrap asset bucket's objects, where the build's zip is staged",
    'Resource::*': 'cloudfront:CreateInvalidation, which CDK grants on every distribution of the account',
  };
  for (const [finding, what] of Object.entries(findings)) {
    acknowledge(handler, `AwsSolutions-IAM5[${finding}]`, `BucketDeployment's function: ${what}; ${reason}`);
  }
}

/** The bootstrap asset bucket's objects as cdk-nag spells them (literal once the stack has an account and region). */
function assetBucketObjects(stack: Stack): string {
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
  return `arn:${partition}:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${account}-${region}/*`;
}
