import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { describe, expect, it, vi } from 'vitest';
import { flattenEmf } from '../../../local/telemetry/emf';
import { RingBuffer } from '../../../local/telemetry/ring-buffer';
import { captureStandardStreams } from '../../../local/telemetry/standard-streams';
import { createLocalTelemetry, type LocalTelemetry } from '../../../local/telemetry/telemetry';

describe('RingBuffer', () => {
  it('keeps everything, oldest first, until it is full', () => {
    const buffer = new RingBuffer<number>(3);
    buffer.push(1);
    buffer.push(2);
    expect(buffer.toArray()).toEqual([1, 2]);
    expect(buffer.size).toBe(2);
  });

  it('then drops the oldest item for each new one, still oldest first', () => {
    const buffer = new RingBuffer<number>(3);
    for (const item of [1, 2, 3, 4, 5, 6, 7]) buffer.push(item);
    expect(buffer.toArray()).toEqual([5, 6, 7]);
    expect(buffer.size).toBe(3);
  });

  it('refuses a capacity that could hold nothing', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
  });
});

/** What a real Powertools Metrics instance prints for what `record` adds. */
function powertoolsEmf(record: (metrics: Metrics) => void): Record<string, unknown> {
  const metrics = new Metrics({ namespace: 'Muster', serviceName: 'muster' });
  record(metrics);
  return JSON.parse(JSON.stringify(metrics.serializeMetrics()));
}

describe('flattenEmf', () => {
  it("gives one data point per metric of Powertools' output, with dimensions and the other keys as properties", () => {
    const emf = powertoolsEmf((metrics) => {
      metrics.addMetric('BatchRequests', MetricUnit.Count, 1);
      metrics.addMetric('BatchLatency', MetricUnit.Milliseconds, 12.5);
      metrics.addDimension('operation', 'Batch');
      metrics.addMetadata('correlation_id', 'c-1');
    });
    const timestamp = new Date(Number((emf._aws as { Timestamp: number }).Timestamp)).toISOString();
    expect(flattenEmf(emf)).toEqual([
      {
        namespace: 'Muster',
        name: 'BatchRequests',
        unit: 'Count',
        values: [1],
        sum: 1,
        dimensions: { service: 'muster', operation: 'Batch' },
        timestamp,
        properties: { correlation_id: 'c-1' },
      },
      {
        namespace: 'Muster',
        name: 'BatchLatency',
        unit: 'Milliseconds',
        values: [12.5],
        sum: 12.5,
        dimensions: { service: 'muster', operation: 'Batch' },
        timestamp,
        properties: { correlation_id: 'c-1' },
      },
    ]);
  });

  it('keeps every value of a metric added more than once, and their sum', () => {
    const emf = powertoolsEmf((metrics) => {
      metrics.addMetric('BatchSubrequests', MetricUnit.Count, 2);
      metrics.addMetric('BatchSubrequests', MetricUnit.Count, 3);
    });
    expect(flattenEmf(emf)).toMatchObject([{ name: 'BatchSubrequests', values: [2, 3], sum: 5 }]);
  });

  it('publishes a metric under each dimension set of its directive, and across directives', () => {
    const emf = {
      _aws: {
        Timestamp: Date.UTC(2026, 0, 2, 3, 4, 5),
        CloudWatchMetrics: [
          {
            Namespace: 'Muster',
            Dimensions: [['service'], ['service', 'tenant']],
            Metrics: [{ Name: 'Calls', Unit: 'Count' }],
          },
          { Namespace: 'Other', Dimensions: [], Metrics: [{ Name: 'Latency' }] },
        ],
      },
      service: 'muster',
      tenant: 'acme',
      Calls: 4,
      Latency: [7, 9],
      requestId: 'r-1',
    };
    expect(flattenEmf(emf)).toEqual([
      expect.objectContaining({ name: 'Calls', dimensions: { service: 'muster' }, values: [4] }),
      expect.objectContaining({ name: 'Calls', dimensions: { service: 'muster', tenant: 'acme' } }),
      expect.objectContaining({
        namespace: 'Other',
        name: 'Latency',
        unit: 'None',
        dimensions: {},
        values: [7, 9],
        sum: 16,
        timestamp: '2026-01-02T03:04:05.000Z',
        properties: { requestId: 'r-1' },
      }),
    ]);
  });

  it('leaves out a metric without a numeric value, and gives nothing for a line that is not EMF', () => {
    const emf = {
      _aws: {
        Timestamp: 0,
        CloudWatchMetrics: [{ Namespace: 'M', Metrics: [{ Name: 'A' }, { Name: 'B' }] }],
      },
      A: 'many',
      B: 1,
    };
    expect(flattenEmf(emf).map((point) => point.name)).toEqual(['B']);
    expect(flattenEmf({ level: 'INFO', message: 'hello' })).toEqual([]);
    expect(flattenEmf({ _aws: { CloudWatchMetrics: 'nope' } })).toEqual([]);
  });
});

function logLine(fields: Record<string, unknown>): string {
  return `${JSON.stringify({ timestamp: '2026-01-01T00:00:00.000Z', service: 'muster', ...fields })}\n`;
}

function emfLine(name: string, correlationId?: string): string {
  const emf = powertoolsEmf((metrics) => {
    metrics.addMetric(name, MetricUnit.Count, 1);
    if (correlationId) metrics.addMetadata('correlation_id', correlationId);
  });
  return `${JSON.stringify(emf)}\n`;
}

describe('local telemetry', () => {
  function filled(): LocalTelemetry {
    const telemetry = createLocalTelemetry();
    telemetry.capture(logLine({ level: 'INFO', message: 'Batch started', correlation_id: 'env-1' }));
    telemetry.capture(
      logLine({ level: 'INFO', message: 'Batch request answered', correlation_id: 'env-1:r1' }),
    );
    telemetry.capture(logLine({ level: 'WARN', message: 'RBAC denied', correlation_id: 'env-1:r2' }));
    telemetry.capture(logLine({ level: 'ERROR', message: 'Unhandled error', correlation_id: 'env-10' }));
    telemetry.capture(logLine({ level: 'DEBUG', message: 'no correlation yet' }));
    return telemetry;
  }

  it('says what it captured: a log record with its level, an EMF line, or nothing', () => {
    const telemetry = createLocalTelemetry();
    expect(telemetry.capture(logLine({ level: 'WARN', message: 'm' }))).toEqual({
      kind: 'log',
      level: 'WARN',
    });
    expect(telemetry.capture(emfLine('Calls'))).toEqual({ kind: 'metrics' });
    for (const other of [
      'plain text\n',
      '{not json\n',
      '{"level":"INFO"}\n',
      '{"level":"LOUD","message":"m"}\n',
      '["INFO"]\n',
    ]) {
      expect(telemetry.capture(other), other).toBeUndefined();
    }
    expect(telemetry.logs({ limit: 10 })).toHaveLength(1);
  });

  it("finds a correlation id's records and those of the requests under it, not another id sharing its prefix", () => {
    expect(messages(filled().logs({ correlationId: 'env-1', limit: 10 }))).toEqual([
      'Batch started',
      'Batch request answered',
      'RBAC denied',
    ]);
    expect(messages(filled().logs({ correlationId: 'env-1:r2', limit: 10 }))).toEqual(['RBAC denied']);
  });

  it('filters by least severe level and message substring, and keeps the most recent up to the limit', () => {
    const telemetry = filled();
    expect(messages(telemetry.logs({ level: 'WARN', limit: 10 }))).toEqual([
      'RBAC denied',
      'Unhandled error',
    ]);
    expect(messages(telemetry.logs({ message: 'Batch', limit: 10 }))).toEqual([
      'Batch started',
      'Batch request answered',
    ]);
    expect(messages(telemetry.logs({ message: 'batch', limit: 10 }))).toEqual([]);
    expect(messages(telemetry.logs({ limit: 2 }))).toEqual(['Unhandled error', 'no correlation yet']);
  });

  it('finds data points by metric name and by the correlation id property', () => {
    const telemetry = createLocalTelemetry();
    telemetry.capture(emfLine('BatchRequests', 'env-1'));
    telemetry.capture(emfLine('BatchRequests', 'env-2'));
    telemetry.capture(emfLine('RbacDenied', 'env-1:r1'));
    const points = telemetry.dataPoints({ correlationId: 'env-1', limit: 10 });
    expect(points.map((point) => [point.name, point.properties.correlation_id])).toEqual([
      ['BatchRequests', 'env-1'],
      ['RbacDenied', 'env-1:r1'],
    ]);
    expect(telemetry.dataPoints({ name: 'BatchRequests', limit: 10 })).toHaveLength(2);
    expect(telemetry.dataPoints({ name: 'BatchRequests', limit: 1 })[0]?.properties.correlation_id).toBe(
      'env-2',
    );
  });

  it('holds only the most recent records and data points', () => {
    const telemetry = createLocalTelemetry({ logRecords: 2, dataPoints: 1 });
    for (const message of ['one', 'two', 'three']) telemetry.capture(logLine({ level: 'INFO', message }));
    telemetry.capture(emfLine('First'));
    telemetry.capture(emfLine('Second'));
    expect(messages(telemetry.logs({ limit: 10 }))).toEqual(['two', 'three']);
    expect(telemetry.dataPoints({ limit: 10 }).map((point) => point.name)).toEqual(['Second']);
  });
});

describe('captureStandardStreams', () => {
  function fakeStream() {
    const written: unknown[] = [];
    return {
      written,
      write: vi.fn((chunk: unknown, ..._rest: unknown[]) => {
        written.push(chunk);
        return true;
      }),
    };
  }

  it('keeps records below the echo level and EMF lines out of the terminal, and lets the rest through', async () => {
    const stream = fakeStream();
    const telemetry = createLocalTelemetry();
    const release = captureStandardStreams({ telemetry, echoLevel: 'WARN', streams: [stream] });
    const info = logLine({ level: 'INFO', message: 'Request answered' });
    const warn = logLine({ level: 'WARN', message: 'RBAC denied' });
    const callback = vi.fn();
    stream.write(info, callback);
    stream.write(emfLine('Calls'));
    stream.write(warn);
    stream.write('[muster-local] event dead-lettered\n');
    stream.write(Buffer.from(logLine({ level: 'DEBUG', message: 'bytes' })));
    release();

    expect(stream.written).toEqual([warn, '[muster-local] event dead-lettered\n']);
    expect(messages(telemetry.logs({ limit: 10 }))).toEqual(['Request answered', 'RBAC denied', 'bytes']);
    expect(telemetry.dataPoints({ limit: 10 }).map((point) => point.name)).toEqual(['Calls']);
    await new Promise(process.nextTick);
    expect(callback).toHaveBeenCalledOnce();
  });

  it('prints from the level the developer asked for, or nothing at SILENT', () => {
    const debugStream = fakeStream();
    const silentStream = fakeStream();
    const releaseDebug = captureStandardStreams({
      telemetry: createLocalTelemetry(),
      echoLevel: 'DEBUG',
      streams: [debugStream],
    });
    const releaseSilent = captureStandardStreams({
      telemetry: createLocalTelemetry(),
      echoLevel: 'SILENT',
      streams: [silentStream],
    });
    const debug = logLine({ level: 'DEBUG', message: 'details' });
    const trace = logLine({ level: 'TRACE', message: 'more details' });
    for (const stream of [debugStream, silentStream]) {
      stream.write(debug);
      stream.write(trace);
      stream.write(logLine({ level: 'CRITICAL', message: 'down' }));
    }
    releaseDebug();
    releaseSilent();
    expect(debugStream.written).toHaveLength(2);
    expect(debugStream.written[0]).toBe(debug);
    expect(silentStream.written).toEqual([]);
  });

  it('puts the original write back on release', () => {
    const stream = fakeStream();
    const original = stream.write;
    const release = captureStandardStreams({
      telemetry: createLocalTelemetry(),
      echoLevel: 'WARN',
      streams: [stream],
    });
    expect(stream.write).not.toBe(original);
    release();
    expect(stream.write).toBe(original);
  });
});

function messages(records: readonly Record<string, unknown>[]): unknown[] {
  return records.map((record) => record.message);
}
