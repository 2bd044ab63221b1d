import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EnvironmentSettings } from '../config/environments';
import { acknowledgeLambdaBaseline } from './nag';
import { fromRepositoryRoot } from './repository';

/** Powertools settings every handler shares; functions/shared/observability.ts uses the same names. */
export const POWERTOOLS_SERVICE_NAME = 'muster';
export const POWERTOOLS_METRICS_NAMESPACE = 'Muster';

export interface MusterFunctionProps {
  readonly settings: EnvironmentSettings;
  /** Handler module relative to the repository root, as config/ names it. */
  readonly entry: string;
  /** The module export that is the Lambda handler. */
  readonly handlerExport: string;
  readonly description: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  /** Receives asynchronous invocations that still fail after Lambda's own retries. */
  readonly deadLetterQueue?: IQueue;
}

// esbuild's ESM output has no `require`; CommonJS dependencies that call it need one.
const ESM_REQUIRE_BANNER =
  "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);";

/**
 * A Node.js Lambda with Muster's defaults: ARM64, Node.js 22, X-Ray, minified ESM with source maps,
 * Powertools environment and its own log group whose retention and removal follow the environment.
 * Bundling always runs the repository's esbuild, never Docker.
 */
export function createMusterFunction(
  scope: Construct,
  id: string,
  props: MusterFunctionProps,
): NodejsFunction {
  const { settings } = props;
  const logGroup = new LogGroup(scope, `${id}LogGroup`, {
    retention: settings.logRetention,
    removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  const fn = new NodejsFunction(scope, id, {
    entry: fromRepositoryRoot(props.entry),
    handler: props.handlerExport,
    description: props.description,
    projectRoot: fromRepositoryRoot('.'),
    depsLockFilePath: fromRepositoryRoot('package-lock.json'),
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize ?? 512,
    timeout: props.timeout ?? Duration.seconds(10),
    tracing: Tracing.ACTIVE,
    logGroup,
    deadLetterQueue: props.deadLetterQueue,
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE,
      LOG_LEVEL: settings.logLevel,
      MUSTER_ENV: settings.name,
      ...props.environment,
    },
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.ESM,
      target: 'node22',
      mainFields: ['module', 'main'],
      banner: ESM_REQUIRE_BANNER,
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      // The SDK is bundled, not taken from the runtime, so Lambda runs the versions package-lock.json pins.
      externalModules: [],
    },
  });
  acknowledgeLambdaBaseline(fn);
  return fn;
}
