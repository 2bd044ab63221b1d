import { AsyncLocalStorage } from 'node:async_hooks';
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type {
  ConstructorOptions,
  LogAttributes,
  UnformattedAttributes,
} from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type middy from '@middy/core';
import { maskAttributes, maskText } from './pii';

export const SERVICE_NAME = 'muster';
export const METRICS_NAMESPACE = 'Muster';

/**
 * Powertools' standard JSON shape, with every message and attribute passed through the PII
 * mask: an email or phone number that slips into a log call is masked, not printed.
 */
export class MaskingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: maskText(attributes.message ?? ''),
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(maskAttributes(additional, (error) => this.formatError(error)));
  }
}

/**
 * A logger whose children log the cold start of the invocation they run in. Powertools counts a
 * cold start per Logger instance, so a child built for each `$batch` request would otherwise claim
 * `cold_start: true` on every warm invocation.
 */
class InvocationLogger extends Logger {
  #invocationIsCold = false;
  #parentInvocationIsCold: boolean | undefined;

  /** Asked once an invocation, when the Lambda context is added (children: when they are built). */
  override getColdStart(): boolean {
    this.#invocationIsCold = this.#parentInvocationIsCold ?? super.getColdStart();
    return this.#invocationIsCold;
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    const child = new InvocationLogger(options);
    child.#parentInvocationIsCold = this.#invocationIsCold;
    return child;
  }
}

const rootLogger = new InvocationLogger({
  serviceName: SERVICE_NAME,
  logFormatter: new MaskingLogFormatter(),
});
const scopedLoggers = new AsyncLocalStorage<Logger>();

/**
 * The logger of the work in progress. Outside {@link withLogScope} that is the function's one
 * logger; inside, a child holding the scope's own keys. Code everywhere logs through this one
 * import, and the requests of a `$batch`, which run concurrently in one invocation, each keep
 * their own correlation id and keys instead of overwriting each other's.
 */
export const logger: Logger = new Proxy(rootLogger, {
  get(root, property) {
    const active = scopedLoggers.getStore() ?? root;
    const value: unknown = Reflect.get(active, property, active);
    // Bound to the real instance: Logger keeps its state in private fields, which a proxy lacks.
    return typeof value === 'function' ? value.bind(active) : value;
  },
});

/** Runs `work` with a child of the current logger: its keys and correlation id stay inside the scope. */
export function withLogScope<T>(keys: Readonly<Record<string, string>>, work: () => Promise<T>): Promise<T> {
  const child = (scopedLoggers.getStore() ?? rootLogger).createChild();
  child.appendKeys(keys);
  return scopedLoggers.run(child, work);
}
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/**
 * The X-Ray tracer, only where tracing is on (in AWS; the local stack turns it off with
 * POWERTOOLS_TRACE_ENABLED=false). Its X-Ray SDK installs, when loaded, an async hook that tracks
 * the destruction of every promise (cls-hooked); in the local stack, where every function shares
 * one process, that hook alone took a fifth of the CPU of a bulk import, so it is not loaded there.
 */
export const tracer: Tracer | undefined =
  process.env.POWERTOOLS_TRACE_ENABLED === 'false'
    ? undefined
    : new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: SERVICE_NAME });

/**
 * Publishes one count at once, under its own dimensions (an EMF line of its own): for counts taken
 * deep inside adapters (a retried SDK call), in any handler, whether or not it publishes the
 * invocation's metrics, and without the dimensions of the invocation's other metrics.
 */
export function publishCount(
  name: string,
  dimensions: Readonly<Record<string, string>>,
  value: number,
): void {
  const single = metrics.singleMetric();
  const correlationId: unknown = logger.getCorrelationId();
  if (typeof correlationId === 'string') single.addMetadata('correlation_id', correlationId);
  for (const [dimension, dimensionValue] of Object.entries(dimensions)) {
    single.addDimension(dimension, dimensionValue);
  }
  single.addMetric(name, MetricUnit.Count, value);
}

/**
 * Publishes the invocation's metrics, if it recorded any. Powertools' own `logMetrics` warns on
 * every invocation without metrics, which for most requests is all noise. The EMF line carries the
 * invocation's correlation id as a property (not a dimension, so it costs no metric), which ties a
 * data point to the request's log records in Logs Insights and in the local `/_local/metrics`.
 */
export function publishRecordedMetrics(): middy.MiddlewareObj {
  const publish = async () => {
    if (!metrics.hasStoredMetrics()) return;
    const correlationId: unknown = logger.getCorrelationId();
    if (typeof correlationId === 'string') metrics.addMetadata('correlation_id', correlationId);
    metrics.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
}
