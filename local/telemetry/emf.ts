import { z } from 'zod';

/**
 * One value series of one metric under one dimension set, as CloudWatch stores what an EMF line
 * declares: a line may hold several metrics (`_aws.CloudWatchMetrics[].Metrics[]`), each published
 * under every dimension set of its directive; values are top-level keys named after the metric
 * (a number, or an array when the metric was added more than once); the other top-level keys that
 * are neither a metric nor a dimension are properties (Powertools metadata).
 */
export interface MetricDataPoint {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly values: readonly number[];
  /** The values added up: what CloudWatch's Sum statistic over the line would report. */
  readonly sum: number;
  readonly dimensions: Readonly<Record<string, string>>;
  /** ISO 8601, from `_aws.Timestamp`. */
  readonly timestamp: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

const directiveSchema = z.object({
  Namespace: z.string(),
  Dimensions: z.array(z.array(z.string())).default([]),
  Metrics: z.array(z.object({ Name: z.string(), Unit: z.string().default('None') })),
});

const emfSchema = z.looseObject({
  _aws: z.looseObject({
    Timestamp: z.number(),
    CloudWatchMetrics: z.array(directiveSchema),
  }),
});

/** Whether a parsed JSON line is in the Embedded Metric Format (it declares `_aws.CloudWatchMetrics`). */
export function isEmfRecord(record: Readonly<Record<string, unknown>>): boolean {
  const aws = record._aws;
  return typeof aws === 'object' && aws !== null && 'CloudWatchMetrics' in aws;
}

/**
 * The data points of one EMF record. A metric whose value is missing or not numeric is left out,
 * as CloudWatch rejects it; a record that is not EMF at all gives none.
 */
export function flattenEmf(record: Readonly<Record<string, unknown>>): MetricDataPoint[] {
  const parsed = emfSchema.safeParse(record);
  if (!parsed.success) return [];
  const { _aws: aws, ...topLevel } = parsed.data;
  const directives = aws.CloudWatchMetrics;
  const declared = new Set(
    directives.flatMap((directive) => [
      ...directive.Metrics.map((metric) => metric.Name),
      ...directive.Dimensions.flat(),
    ]),
  );
  const properties = Object.fromEntries(Object.entries(topLevel).filter(([key]) => !declared.has(key)));
  const timestamp = new Date(aws.Timestamp).toISOString();

  return directives.flatMap((directive) => {
    // A directive without dimension sets still publishes its metrics, with no dimensions.
    const dimensionSets = directive.Dimensions.length > 0 ? directive.Dimensions : [[]];
    return directive.Metrics.flatMap((metric) => {
      const values = numericValues(topLevel[metric.Name]);
      if (values === undefined) return [];
      return dimensionSets.map((dimensionSet) => ({
        namespace: directive.Namespace,
        name: metric.Name,
        unit: metric.Unit,
        values,
        sum: values.reduce((total, value) => total + value, 0),
        dimensions: Object.fromEntries(dimensionSet.map((key) => [key, String(topLevel[key] ?? '')])),
        timestamp,
        properties,
      }));
    });
  });
}

function numericValues(value: unknown): number[] | undefined {
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || !values.every((item) => typeof item === 'number' && Number.isFinite(item))) {
    return undefined;
  }
  return values;
}
