import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  logger,
  MaskingLogFormatter,
  metrics,
  publishRecordedMetrics,
  withLogScope,
} from '../../../functions/shared/observability';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The JSON lines written to stdout and stderr while `run` runs. */
async function printedLines(run: () => Promise<void> | void): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(record);
  vi.spyOn(process.stderr, 'write').mockImplementation(record);
  try {
    await run();
  } finally {
    vi.restoreAllMocks();
  }
  return lines
    .flatMap((line) => line.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** Logs through a real Powertools logger with our formatter and returns the JSON lines it printed. */
function capture(log: (logger: Logger) => void): Promise<Record<string, unknown>[]> {
  return printedLines(() =>
    log(new Logger({ serviceName: 'muster', logLevel: 'DEBUG', logFormatter: new MaskingLogFormatter() })),
  );
}

describe('log lines', () => {
  it('carry the correlation id and ids untouched, and mask personal data', async () => {
    const [line] = await capture((logger) => {
      logger.setCorrelationId('3f2a9c1e-1234-4567-89ab-cdef12345678');
      logger.appendKeys({ tenant_id: 'acme', task_id: 't_01jabc2def3ghj4kmn5pqr6st78' });
      logger.info('Invited jane@acme.test', {
        occurredAt: '2026-11-01T10:00:00.000Z',
        phone: '+44 20 7946 0958',
      });
    });
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'Invited j***@acme.test',
      correlation_id: '3f2a9c1e-1234-4567-89ab-cdef12345678',
      tenant_id: 'acme',
      task_id: 't_01jabc2def3ghj4kmn5pqr6st78',
      occurredAt: '2026-11-01T10:00:00.000Z',
      phone: '***58',
    });
  });

  it("keep an error's name, message and stack", async () => {
    const [line] = await capture((logger) =>
      logger.error('Unhandled error', new TypeError('cannot read x of ann@acme.test')),
    );
    expect(line?.error).toMatchObject({ name: 'TypeError', message: 'cannot read x of a***@acme.test' });
    expect(z.object({ error: z.object({ stack: z.string() }) }).parse(line).error.stack).toContain(
      'TypeError',
    );
  });
});

describe('withLogScope', () => {
  it('keeps the keys and correlation id of concurrent scopes apart, and leaves the outer logger as it was', async () => {
    logger.setLogLevel('INFO');
    const parsed = await printedLines(async () => {
      logger.setCorrelationId('envelope-1');
      const item = (id: string, pause: number) =>
        withLogScope({ batch_request_id: id }, async () => {
          logger.setCorrelationId(`envelope-1:${id}`);
          logger.appendKeys({ operation: `Op-${id}` });
          // Interleaves the two scopes: each logs after the other has set its keys.
          await new Promise((resolve) => setTimeout(resolve, pause));
          logger.warn('item done');
        });
      await Promise.all([item('a', 20), item('b', 5)]);
      logger.warn('envelope done');
    });
    logger.setLogLevel('SILENT');
    logger.resetKeys();

    const byMessage = (message: string) => parsed.filter((line) => line.message === message);
    expect(byMessage('item done')).toEqual([
      expect.objectContaining({ batch_request_id: 'b', correlation_id: 'envelope-1:b', operation: 'Op-b' }),
      expect.objectContaining({ batch_request_id: 'a', correlation_id: 'envelope-1:a', operation: 'Op-a' }),
    ]);
    const [outer] = byMessage('envelope done');
    expect(outer).toMatchObject({ correlation_id: 'envelope-1' });
    expect(outer).not.toHaveProperty('batch_request_id');
    expect(outer).not.toHaveProperty('operation');
  });
});

describe('withLogScope in a Lambda execution environment', () => {
  it("logs the invocation's own cold start in a scope: true only on the first invocation", async () => {
    // As in Lambda, where Powertools reads it each time a logger (a scope's too) is built.
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    vi.resetModules();
    const fresh = await import('../../../functions/shared/observability');
    const context = {
      functionName: 'muster-batch',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:muster-batch',
      memoryLimitInMB: '512',
      awsRequestId: 'request-1',
    } as Context;
    const coldStarts: unknown[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      for (const line of String(chunk).split('\n').filter(Boolean))
        coldStarts.push(JSON.parse(line).cold_start);
      return true;
    });
    fresh.logger.setLogLevel('INFO');
    for (const _invocation of ['cold', 'warm', 'warm again']) {
      fresh.logger.addContext(context);
      fresh.logger.info('envelope');
      await fresh.withLogScope({ batch_request_id: 'a' }, async () => {
        fresh.logger.info('request');
        await fresh.withLogScope({ nested: 'yes' }, async () => fresh.logger.info('nested'));
      });
    }
    fresh.logger.setLogLevel('SILENT');
    vi.unstubAllEnvs();

    expect(coldStarts).toEqual([true, true, true, false, false, false, false, false, false]);
  });
});

describe('publishRecordedMetrics', () => {
  /** The EMF records the middleware publishes (metrics are disabled in unit tests, so none print). */
  function published(): Record<string, unknown>[] {
    const records: Record<string, unknown>[] = [];
    const publish = metrics.publishStoredMetrics.bind(metrics);
    vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      records.push(JSON.parse(JSON.stringify(metrics.serializeMetrics())));
      return publish();
    });
    return records;
  }

  it("publishes the invocation's metrics with its correlation id as a property, not a dimension", async () => {
    const records = published();
    logger.setCorrelationId('envelope-7');
    metrics.addMetric('RbacDenied', MetricUnit.Count, 1);
    await publishRecordedMetrics().after?.({} as never);
    logger.resetKeys();

    expect(records).toEqual([expect.objectContaining({ RbacDenied: 1, correlation_id: 'envelope-7' })]);
    expect(JSON.stringify(records[0]?._aws)).not.toContain('correlation_id');
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('publishes nothing for an invocation that recorded no metric', async () => {
    const records = published();
    await publishRecordedMetrics().onError?.({} as never);
    expect(records).toEqual([]);
  });
});
