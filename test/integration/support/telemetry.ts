import { z } from 'zod';
import { call } from './api';

/** A handler's structured log record, as `GET /_local/logs` keeps it (the Powertools JSON line). */
export const logRecordSchema = z.looseObject({
  level: z.string(),
  message: z.string(),
  timestamp: z.string(),
  service: z.string(),
  correlation_id: z.string().optional(),
});
export type LogRecord = z.infer<typeof logRecordSchema>;

/** One metric under one dimension set, from an EMF line, as `GET /_local/metrics` flattens it. */
export const dataPointSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  unit: z.string(),
  values: z.array(z.number()),
  sum: z.number(),
  dimensions: z.record(z.string(), z.string()),
  timestamp: z.iso.datetime(),
  properties: z.record(z.string(), z.unknown()),
});
export type DataPoint = z.infer<typeof dataPointSchema>;

type Filters = Readonly<Record<string, string | number | undefined>>;

function queryString(filters: Filters): string {
  const defined = Object.entries(filters).flatMap(([key, value]): [string, string][] =>
    value === undefined ? [] : [[key, String(value)]],
  );
  return new URLSearchParams(defined).toString();
}

/** Log records of the local stack's handlers, oldest first: `correlationId` also finds `<id>:<request>`. */
export async function handlerLogs(filters: {
  correlationId?: string;
  level?: string;
  message?: string;
  limit?: number;
}): Promise<LogRecord[]> {
  const response = await call('GET', `/_local/logs?${queryString(filters)}`);
  if (response.status !== 200) throw new Error(`/_local/logs answered ${response.status}: ${response.text}`);
  return z.object({ records: z.array(logRecordSchema) }).parse(response.body).records;
}

/** Metric data points the local stack's handlers published, oldest first. */
export async function metricDataPoints(filters: {
  name?: string;
  correlationId?: string;
  limit?: number;
}): Promise<DataPoint[]> {
  const response = await call('GET', `/_local/metrics?${queryString(filters)}`);
  if (response.status !== 200)
    throw new Error(`/_local/metrics answered ${response.status}: ${response.text}`);
  return z.object({ dataPoints: z.array(dataPointSchema) }).parse(response.body).dataPoints;
}
