// `npm run bench`: how fast the upload readers (and the validator behind them) go against the raw
// parsers on the same files, and how much memory each needs. Not a test: it takes minutes, and its
// figures depend on the machine. Each case runs in a child process of its own, so that its peak
// RSS is its own; each is run BENCH_RUNS times (default 3) and the fastest run counts. The runs
// of a file's cases are interleaved (raw, ours, raw, ours…) so that a machine whose speed drifts
// (a shared host) slows both sides of a ratio alike.
// While working on one side: BENCH_ONLY=csv (or xlsx) runs one file's cases, BENCH_SKIP_READERS=1
// leaves out the reader-only cases, and BENCH_QUICK=1 uses a tenth of the rows (figures for
// comparing changes, not for the targets, which are set at full size).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { BenchCaseName } from './cases';
import { csvFixture, xlsxFixture } from './fixtures';

const flag = z
  .enum(['0', '1'])
  .default('0')
  .transform((value) => value === '1');
const env = z
  .object({
    BENCH_RUNS: z.coerce.number().int().positive().default(3),
    BENCH_ONLY: z.enum(['csv', 'xlsx']).optional(),
    BENCH_SKIP_READERS: flag,
    BENCH_QUICK: flag,
  })
  .parse(process.env);
const scale = env.BENCH_QUICK ? 10 : 1;
const CSV_ROWS = 1_000_000 / scale;
const XLSX_ROWS = 100_000 / scale;
const RSS_TARGET_BYTES = 300 * 1024 * 1024;
const runs = env.BENCH_RUNS;

const measurementSchema = z.object({ rows: z.number().int(), seconds: z.number(), peakRssBytes: z.number() });
type Measurement = z.infer<typeof measurementSchema>;

interface Comparison {
  readonly title: string;
  readonly format: 'csv' | 'xlsx';
  readonly file: () => Promise<string>;
  readonly raw: BenchCaseName;
  /** Ours against the raw parser, with the target for rows/s as a share of raw; the readers alone have none. */
  readonly ours: readonly {
    readonly name: BenchCaseName;
    readonly label: string;
    readonly target?: number;
  }[];
}

const measureScript = fileURLToPath(new URL('./measure.ts', import.meta.url));

function runOnce(name: BenchCaseName, file: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', measureScript, name, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${name} exited with ${code}`));
      const lastLine = output.trim().split('\n').at(-1) ?? '';
      resolve(measurementSchema.parse(JSON.parse(lastLine)));
    });
  });
}

/** Runs the cases interleaved, `runs` rounds; per case, the fastest run and the highest peak RSS. */
async function measureInterleaved(
  names: readonly BenchCaseName[],
  file: string,
): Promise<Map<BenchCaseName, Measurement>> {
  const results = new Map<BenchCaseName, Measurement>();
  for (let run = 0; run < runs; run++) {
    for (const name of names) {
      const measurement = await runOnce(name, file);
      process.stderr.write(`  ${name}: ${measurement.seconds.toFixed(2)} s\n`);
      const best = results.get(name);
      results.set(name, {
        ...(best === undefined || measurement.seconds < best.seconds ? measurement : best),
        peakRssBytes: Math.max(best?.peakRssBytes ?? 0, measurement.peakRssBytes),
      });
    }
  }
  return results;
}

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(0)} MB`;
const perSecond = (measurement: Measurement) => measurement.rows / measurement.seconds;

const comparisons = (
  [
    {
      title: `CSV, ${CSV_ROWS.toLocaleString('en')} rows`,
      format: 'csv',
      file: () => csvFixture(CSV_ROWS),
      raw: 'csv-raw',
      ours: [
        { name: 'csv-ours', label: 'readCsvRecords' },
        { name: 'csv-validation', label: 'validation (reader + validator)', target: 0.4 },
      ],
    },
    {
      title: `XLSX, ${XLSX_ROWS.toLocaleString('en')} rows`,
      format: 'xlsx',
      file: () => xlsxFixture(XLSX_ROWS),
      raw: 'xlsx-raw',
      ours: [
        { name: 'xlsx-ours', label: 'readXlsxRecords' },
        { name: 'xlsx-validation', label: 'validation (reader + validator)', target: 0.5 },
      ],
    },
  ] satisfies Comparison[]
).filter((comparison) => env.BENCH_ONLY === undefined || comparison.format === env.BENCH_ONLY);

const table: string[][] = [
  ['file', 'case', 'rows', 'seconds', 'rows/s', 'vs raw', 'peak RSS', 'RSS vs raw', 'targets'],
];
process.stderr.write('Preparing the benchmark files (once; they stay in the temporary directory)…\n');
for (const comparison of comparisons) {
  const file = await comparison.file();
  const ours = comparison.ours.filter(
    (candidate) => !(candidate.target === undefined && env.BENCH_SKIP_READERS),
  );
  const results = await measureInterleaved([comparison.raw, ...ours.map(({ name }) => name)], file);
  const raw = results.get(comparison.raw);
  if (!raw) throw new Error(`no run of ${comparison.raw}`);
  table.push([
    comparison.title,
    `raw (${comparison.raw})`,
    raw.rows.toLocaleString('en'),
    raw.seconds.toFixed(2),
    Math.round(perSecond(raw)).toLocaleString('en'),
    '1.00',
    megabytes(raw.peakRssBytes),
    '1.00',
    '',
  ]);
  for (const candidate of ours) {
    const result = results.get(candidate.name);
    if (!result) throw new Error(`no run of ${candidate.name}`);
    const speed = perSecond(result) / perSecond(raw);
    const { target } = candidate;
    table.push([
      comparison.title,
      candidate.label,
      result.rows.toLocaleString('en'),
      result.seconds.toFixed(2),
      Math.round(perSecond(result)).toLocaleString('en'),
      speed.toFixed(2),
      megabytes(result.peakRssBytes),
      (result.peakRssBytes / raw.peakRssBytes).toFixed(2),
      target === undefined
        ? '(the reader alone: no target)'
        : `${speed >= target && result.peakRssBytes < RSS_TARGET_BYTES ? 'met' : 'MISSED'} (≥ ${target.toFixed(2)} of raw, < ${megabytes(RSS_TARGET_BYTES)})`,
    ]);
  }
}

const widths =
  table[0]?.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length))) ?? [];
for (const [index, row] of table.entries()) {
  console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
  if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
}
