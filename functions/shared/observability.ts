import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
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

export const logger = new Logger({ serviceName: SERVICE_NAME, logFormatter: new MaskingLogFormatter() });
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
 * Publishes the invocation's metrics, if it recorded any. Powertools' own `logMetrics` warns on
 * every invocation without metrics, which for most requests is all noise.
 */
export function publishRecordedMetrics(): middy.MiddlewareObj {
  const publish = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
}
