import { atLeast, type LocalTelemetry, type LogLevelName } from './telemetry';

export interface StreamCaptureOptions {
  readonly telemetry: Pick<LocalTelemetry, 'capture'>;
  /** Captured log records at least this severe still print; SILENT prints none; EMF lines never print. */
  readonly echoLevel: LogLevelName | 'SILENT';
  /** Default: process.stdout and process.stderr, where Powertools' Console writes. */
  readonly streams?: readonly Pick<NodeJS.WritableStream, 'write'>[];
}

const OPENING_BRACE = 0x7b;

/**
 * Hands every chunk written to the streams to the telemetry first. Powertools Logger and Metrics
 * each write a record as one JSON text per `write` (through their own `Console` on
 * process.stdout/stderr, or the global console under POWERTOOLS_DEV), and look the stream's
 * `write` up on every call, so replacing it catches handlers loaded before or after. Anything
 * else passes through untouched. Returns the function that puts the streams back.
 */
export function captureStandardStreams(options: StreamCaptureOptions): () => void {
  const { telemetry, echoLevel } = options;
  const streams = options.streams ?? [process.stdout, process.stderr];

  const restorers = streams.map((stream) => {
    const original = stream.write;
    const write = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
      const captured = textOf(chunk);
      const line = captured === undefined ? undefined : telemetry.capture(captured);
      const shown = line?.kind === 'log' && echoLevel !== 'SILENT' && atLeast(line.level, echoLevel);
      if (line === undefined || shown) return Reflect.apply(original, stream, [chunk, ...rest]);
      const callback = rest.find((argument) => typeof argument === 'function');
      if (callback) process.nextTick(callback as () => void);
      return true;
    };
    stream.write = write as typeof stream.write;
    return () => {
      // Only if nobody replaced it since: their replacement calls ours, and stays in charge.
      if (stream.write === write) stream.write = original;
    };
  });
  return () => {
    for (const restore of restorers) restore();
  };
}

function textOf(chunk: unknown): string | undefined {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array && chunk[0] === OPENING_BRACE) {
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
  }
  return undefined;
}
