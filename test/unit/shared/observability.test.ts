import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { MaskingLogFormatter } from '../../../functions/shared/observability';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Logs through a real Powertools logger with our formatter and returns the JSON lines it printed. */
function capture(log: (logger: Logger) => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(record);
  vi.spyOn(process.stderr, 'write').mockImplementation(record);
  const logger = new Logger({
    serviceName: 'muster',
    logLevel: 'DEBUG',
    logFormatter: new MaskingLogFormatter(),
  });
  log(logger);
  vi.restoreAllMocks();
  return lines
    .flatMap((line) => line.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('log lines', () => {
  it('carry the correlation id and ids untouched, and mask personal data', () => {
    const [line] = capture((logger) => {
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

  it("keep an error's name, message and stack", () => {
    const [line] = capture((logger) =>
      logger.error('Unhandled error', new TypeError('cannot read x of ann@acme.test')),
    );
    expect(line?.error).toMatchObject({ name: 'TypeError', message: 'cannot read x of a***@acme.test' });
    expect(z.object({ error: z.object({ stack: z.string() }) }).parse(line).error.stack).toContain(
      'TypeError',
    );
  });
});
