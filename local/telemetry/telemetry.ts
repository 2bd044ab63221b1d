import { flattenEmf, isEmfRecord, type MetricDataPoint } from './emf';
import { RingBuffer } from './ring-buffer';

/** Powertools Logger's levels, least severe first (SILENT prints nothing, so no record has it). */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export type LogRecord = Readonly<Record<string, unknown>>;

/** What one written chunk turned out to be, when it is a handler's structured line. */
export type CapturedLine =
  | { readonly kind: 'log'; readonly level: LogLevelName }
  | { readonly kind: 'metrics' };

export interface LogQuery {
  /** A record's `correlation_id` equals it, or starts with `<it>:` (a `$batch` request's id). */
  readonly correlationId?: string;
  /** The least severe level listed. */
  readonly level?: LogLevelName;
  /** A substring of `message`, case-sensitive. */
  readonly message?: string;
  /** At most this many, the most recent ones. */
  readonly limit: number;
}

export interface MetricQuery {
  readonly name?: string;
  /** Matched against the `correlation_id` property as {@link LogQuery.correlationId} is. */
  readonly correlationId?: string;
  readonly limit: number;
}

export interface LocalTelemetry {
  /** Keeps a chunk written to stdout or stderr if it is a Powertools log record or EMF line. */
  capture(text: string): CapturedLine | undefined;
  /** Kept log records that match, oldest first. */
  logs(query: LogQuery): LogRecord[];
  /** Kept metric data points that match, oldest first. */
  dataPoints(query: MetricQuery): MetricDataPoint[];
}

/**
 * 100,000 of each: both buffers full of typical records (a ~450-byte log line, a one-metric EMF
 * line) hold about 100 MB however long `npm start` runs, while keeping the whole of a busy
 * integration run's minutes: a 5,000-row chaos import alone publishes thousands of retry counts
 * and audit lines while other tests run beside it, and a test summing them must see them all.
 */
export const DEFAULT_CAPACITY: TelemetryCapacity = { logRecords: 100_000, dataPoints: 100_000 };

export interface TelemetryCapacity {
  readonly logRecords: number;
  readonly dataPoints: number;
}

interface KeptRecord {
  readonly severity: number;
  readonly record: LogRecord;
}

const OPENING_BRACE = 0x7b;

export function createLocalTelemetry(capacity: TelemetryCapacity = DEFAULT_CAPACITY): LocalTelemetry {
  const records = new RingBuffer<KeptRecord>(capacity.logRecords);
  const dataPoints = new RingBuffer<MetricDataPoint>(capacity.dataPoints);

  return {
    capture(text) {
      // Cheap rejection first: most output that is not a handler's line is not JSON at all.
      if (text.charCodeAt(0) !== OPENING_BRACE) return undefined;
      const parsed = parseObject(text);
      if (parsed === undefined) return undefined;
      if (isEmfRecord(parsed)) {
        for (const point of flattenEmf(parsed)) dataPoints.push(point);
        return { kind: 'metrics' };
      }
      const level = logLevelOf(parsed);
      if (level === undefined) return undefined;
      records.push({ severity: severityOf(level), record: parsed });
      return { kind: 'log', level };
    },

    logs(query) {
      const least = query.level === undefined ? 0 : severityOf(query.level);
      const { correlationId, message } = query;
      const matching = records
        .toArray()
        .filter(
          ({ severity, record }) =>
            severity >= least &&
            (correlationId === undefined || correlates(record.correlation_id, correlationId)) &&
            (message === undefined ||
              (typeof record.message === 'string' && record.message.includes(message))),
        );
      return matching.slice(-query.limit).map(({ record }) => record);
    },

    dataPoints(query) {
      const { name, correlationId } = query;
      const matching = dataPoints
        .toArray()
        .filter(
          (point) =>
            (name === undefined || point.name === name) &&
            (correlationId === undefined || correlates(point.properties.correlation_id, correlationId)),
        );
      return matching.slice(-query.limit);
    },
  };
}

/** Whether the record shows at least `threshold`: the terminal's rule for captured lines. */
export function atLeast(level: LogLevelName, threshold: LogLevelName): boolean {
  return severityOf(level) >= severityOf(threshold);
}

/** A level name as Powertools accepts it (any case); undefined for anything else. */
export function logLevelNamed(name: string | undefined): LogLevelName | undefined {
  const upper = name?.toUpperCase();
  return LOG_LEVELS.find((level) => level === upper);
}

function severityOf(level: LogLevelName): number {
  return LOG_LEVELS.indexOf(level);
}

function correlates(value: unknown, correlationId: string): boolean {
  return typeof value === 'string' && (value === correlationId || value.startsWith(`${correlationId}:`));
}

function logLevelOf(record: Readonly<Record<string, unknown>>): LogLevelName | undefined {
  if (typeof record.message !== 'string' || typeof record.level !== 'string') return undefined;
  return logLevelNamed(record.level);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
