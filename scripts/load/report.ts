// The figures of a load run (`npm run load`): what each request kind and all of them together
// answered, how fast and how often they failed, and what the push past the rate limit got back.

export const REQUEST_KINDS = ['users', 'batch', 'importStatus'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const KIND_LABELS: Record<RequestKind, string> = {
  users: 'GET /v1/admin/users',
  batch: 'POST /api/v1/$batch',
  importStatus: 'GET /internal/iam/users/bulk-import/{taskId}',
};

/** What one kind (or all) answered during the steady phase. */
export interface KindFigures {
  readonly responses: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses by HTTP status. */
  readonly statuses: Readonly<Record<number, number>>;
  /** Requests that got no answer: connection errors and timeouts. */
  readonly transportErrors: number;
  /** Non-2xx answers and transport errors over everything sent. */
  readonly errorRate: number;
  /** The requests inside `$batch` envelopes, by the status each answered (empty for other kinds). */
  readonly subStatuses: Readonly<Record<number, number>>;
}

export interface PushFigures {
  /** Requests a minute one caller may make: what the push goes past. */
  readonly perCallerLimit: number;
  readonly envelopes: number;
  readonly envelopeSize: number;
  readonly requestsSent: number;
  /** Envelopes answered by HTTP status. */
  readonly statuses: Readonly<Record<number, number>>;
  /** Whole envelopes refused with 429, and how many of them carried a `Retry-After` of 1-60 s. */
  readonly throttledEnvelopes: number;
  readonly throttledEnvelopesWithRetryAfter: number;
  /** Requests inside admitted envelopes answered 429, and how many carried `retry-after`. */
  readonly throttledRequests: number;
  readonly throttledRequestsWithRetryAfter: number;
  /** Requests the quota let run: at most the limit per minute window the push touched. */
  readonly admittedRequests: number;
  /** The one-minute quota windows the push ran in, and how long it took. */
  readonly quotaWindows: number;
  readonly seconds: number;
  readonly transportErrors: number;
}

export interface LoadReport {
  readonly seconds: number;
  readonly rates: Readonly<Record<RequestKind, number>>;
  readonly tenants: number;
  readonly callers: number;
  readonly seededUsers: number;
  readonly steady: {
    readonly kinds: Readonly<Record<RequestKind, KindFigures>>;
    readonly overall: KindFigures;
  };
  readonly push: PushFigures;
}

/** Everything the steady phase saw of one kind, before it is summed up. */
export interface KindSamples {
  readonly latenciesMs: number[];
  readonly statuses: Record<number, number>;
  readonly subStatuses: Record<number, number>;
  transportErrors: number;
}

export function emptySamples(): KindSamples {
  return { latenciesMs: [], statuses: {}, subStatuses: {}, transportErrors: 0 };
}

export function count(tally: Record<number, number>, status: number, by = 1): void {
  tally[status] = (tally[status] ?? 0) + by;
}

/** Nearest-rank percentile of ascending `sorted`; NaN when there is nothing to rank. */
export function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

export function figuresOf(samples: KindSamples, seconds: number): KindFigures {
  const sorted = samples.latenciesMs.toSorted((a, b) => a - b);
  const failed = Object.entries(samples.statuses)
    .filter(([status]) => Number(status) < 200 || Number(status) >= 300)
    .reduce((sum, [, times]) => sum + times, 0);
  const sent = sorted.length + samples.transportErrors;
  return {
    responses: sorted.length,
    perSecond: sorted.length / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    statuses: { ...samples.statuses },
    transportErrors: samples.transportErrors,
    errorRate: sent === 0 ? 0 : (failed + samples.transportErrors) / sent,
    subStatuses: { ...samples.subStatuses },
  };
}

/** The kinds' samples as one: the overall line of the report. */
export function mergeSamples(all: readonly KindSamples[]): KindSamples {
  const merged = emptySamples();
  for (const samples of all) {
    merged.latenciesMs.push(...samples.latenciesMs);
    for (const [status, times] of Object.entries(samples.statuses))
      count(merged.statuses, Number(status), times);
    for (const [status, times] of Object.entries(samples.subStatuses))
      count(merged.subStatuses, Number(status), times);
    merged.transportErrors += samples.transportErrors;
  }
  return merged;
}

/** Answers with a status of `from`..`from + 99` among `statuses`. */
export function inClass(statuses: Readonly<Record<number, number>>, from: number): number {
  return Object.entries(statuses)
    .filter(([status]) => Number(status) >= from && Number(status) < from + 100)
    .reduce((sum, [, times]) => sum + times, 0);
}

const statusList = (statuses: Readonly<Record<number, number>>) =>
  Object.entries(statuses)
    .map(([status, times]) => `${status}×${times}`)
    .join(' ') || '-';

const percent = (ratio: number) => `${(ratio * 100).toFixed(2)} %`;

export function formatReport(report: LoadReport): string {
  const { steady, push } = report;
  const line = (label: string, figures: KindFigures) =>
    `  ${label.padEnd(48)} ${figures.responses.toString().padStart(6)} ${figures.perSecond.toFixed(1).padStart(7)}/s` +
    `  p50 ${figures.p50Ms.toFixed(0).padStart(5)} ms  p99 ${figures.p99Ms.toFixed(0).padStart(5)} ms` +
    `  errors ${percent(figures.errorRate)}  [${statusList(figures.statuses)}]` +
    (figures.transportErrors > 0 ? ` transport errors ${figures.transportErrors}` : '');
  return [
    `Steady phase: ${report.seconds} s, ${report.tenants} tenants, ${report.callers} callers, ${report.seededUsers} seeded users; ` +
      `target rates ${REQUEST_KINDS.map((kind) => `${kind} ${report.rates[kind]}/s`).join(', ')}`,
    ...REQUEST_KINDS.map((kind) => line(KIND_LABELS[kind], steady.kinds[kind])),
    line('overall', steady.overall),
    `  requests inside $batch envelopes: [${statusList(steady.kinds.batch.subStatuses)}]`,
    `  5xx: ${inClass(steady.overall.statuses, 500) + inClass(steady.overall.subStatuses, 500)}, ` +
      `429: ${inClass(steady.overall.statuses, 429) + (steady.overall.subStatuses[429] ?? 0)}`,
    `Push phase: one caller, ${push.envelopes} envelopes of ${push.envelopeSize} (${push.requestsSent} requests) against ${push.perCallerLimit} a minute, ` +
      `in ${push.seconds.toFixed(1)} s across ${push.quotaWindows} quota windows`,
    `  envelopes [${statusList(push.statuses)}]; ${push.admittedRequests} requests admitted`,
    `  429 envelopes ${push.throttledEnvelopes} (with Retry-After ${push.throttledEnvelopesWithRetryAfter}), ` +
      `429 requests inside admitted envelopes ${push.throttledRequests} (with retry-after ${push.throttledRequestsWithRetryAfter})` +
      (push.transportErrors > 0 ? `; transport errors ${push.transportErrors}` : ''),
  ].join('\n');
}

/** The promises of issue 7 the run broke, as sentences; none when it kept them all. */
export function brokenPromises(report: LoadReport): string[] {
  const { overall } = report.steady;
  const { push } = report;
  const broken: string[] = [];
  const fiveHundreds = inClass(overall.statuses, 500) + inClass(overall.subStatuses, 500);
  if (fiveHundreds > 0) broken.push(`${fiveHundreds} answers of the steady phase were 5xx`);
  if (overall.transportErrors + push.transportErrors > 0)
    broken.push(`${overall.transportErrors + push.transportErrors} requests got no answer`);
  const steadyThrottled = (overall.statuses[429] ?? 0) + (overall.subStatuses[429] ?? 0);
  if (steadyThrottled > 0) broken.push(`${steadyThrottled} steady requests were rate limited`);
  if (inClass(push.statuses, 500) > 0) broken.push(`${inClass(push.statuses, 500)} push envelopes were 5xx`);
  if (push.throttledEnvelopes === 0) broken.push('the push past the limit got no 429');
  if (push.throttledEnvelopesWithRetryAfter < push.throttledEnvelopes)
    broken.push(
      `${push.throttledEnvelopes - push.throttledEnvelopesWithRetryAfter} 429 envelopes lacked Retry-After`,
    );
  if (push.throttledRequestsWithRetryAfter < push.throttledRequests)
    broken.push(
      `${push.throttledRequests - push.throttledRequestsWithRetryAfter} 429 requests lacked retry-after`,
    );
  return broken;
}
