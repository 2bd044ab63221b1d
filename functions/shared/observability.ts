import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
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
export const tracer = new Tracer({ serviceName: SERVICE_NAME });

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
