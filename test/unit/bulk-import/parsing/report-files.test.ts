import { PassThrough, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { type ImportIssue, issue } from '../../../../functions/bulk-import/domain/issues';
import { readCsvRecords } from '../../../../functions/bulk-import/parsing/csv-records';
import {
  writeCsv,
  writeIssuesCsv,
  writeIssuesXlsx,
} from '../../../../functions/bulk-import/parsing/report-files';
import { bytesOf, collect, streamOf } from '../../../fixtures/bulk-import/streams';

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/** A destination that takes a byte at a time, slowly, to make writers wait for it. */
function slowSink(): { sink: Writable; written: Promise<Buffer> } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      setImmediate(done);
    },
  });
  const written = new Promise<Buffer>((resolve, reject) => {
    sink.on('finish', () => resolve(Buffer.concat(chunks)));
    sink.on('error', reject);
  });
  return { sink, written };
}

const issues: ImportIssue[] = [
  issue({
    row: null,
    column: null,
    code: 'UNKNOWN_COLUMN',
    message: 'The column "nickname" is not part of the template.',
    suggestion: 'Remove it, or rename it to a template column.',
  }),
  issue({
    row: 2,
    column: 'email',
    code: 'INVALID_EMAIL',
    message: '=HYPERLINK("http://evil.example","click") is not an email address.',
    suggestion: 'Write it as name@example.com, without "quotes", commas, or\nline breaks.',
  }),
  issue({
    row: 12,
    column: 'email',
    code: 'DUPLICATE_IN_FILE',
    message: 'ada@example.com is also on row 2.',
    suggestion: 'Remove or merge with row 2.',
  }),
];

describe('writeCsv', () => {
  it('writes RFC 4180 with a BOM and CRLF, quoting and neutralising every field', async () => {
    const out = new PassThrough();
    const bytes = bytesOf(out);
    await writeCsv(
      each([
        ['ada@example.com', 'Lovelace, Ada', 'said "hi"'],
        ['=cmd|/c calc', 'two\r\nlines', '-5'],
      ]),
      ['email', 'name', 'note'],
      out,
    );
    expect((await bytes).toString('utf8')).toBe(
      '\uFEFFemail,name,note\r\n' +
        'ada@example.com,"Lovelace, Ada","said ""hi"""\r\n' +
        `'=cmd|/c calc,"two\r\nlines",'-5\r\n`,
    );
  });

  it('writes every row through a slow destination', async () => {
    const rows = Array.from({ length: 5000 }, (_, index) => [`user${index}@example.com`, `Name ${index}`]);
    const { sink, written } = slowSink();
    await writeCsv(each(rows), ['email', 'name'], sink);
    const records = await collect(readCsvRecords(streamOf(await written)));
    expect(records).toHaveLength(5001);
    expect(records.at(-1)).toEqual({ row: 5001, cells: ['user4999@example.com', 'Name 4999'] });
  });
});

describe('writeIssuesCsv', () => {
  it('writes one line per issue under the report columns, readable back as the same cells', async () => {
    const out = new PassThrough();
    const bytes = bytesOf(out);
    await writeIssuesCsv(each(issues), out);
    expect(await collect(readCsvRecords(streamOf(await bytes)))).toEqual([
      { row: 1, cells: ['row', 'column', 'severity', 'code', 'message', 'suggestion'] },
      {
        row: 2,
        cells: [
          '',
          '',
          'warning',
          'UNKNOWN_COLUMN',
          'The column "nickname" is not part of the template.',
          'Remove it, or rename it to a template column.',
        ],
      },
      {
        row: 3,
        cells: [
          '2',
          'email',
          'error',
          'INVALID_EMAIL',
          `'=HYPERLINK("http://evil.example","click") is not an email address.`,
          'Write it as name@example.com, without "quotes", commas, or\nline breaks.',
        ],
      },
      {
        row: 4,
        cells: [
          '12',
          'email',
          'error',
          'DUPLICATE_IN_FILE',
          'ada@example.com is also on row 2.',
          'Remove or merge with row 2.',
        ],
      },
    ]);
  });
});

describe('writeIssuesXlsx', () => {
  it('writes a workbook with a frozen header and one row per issue, text neutralised', async () => {
    const { sink, written } = slowSink();
    await writeIssuesXlsx(each(issues), sink);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.read(streamOf(await written));
    const sheet = workbook.getWorksheet('Validation report');
    expect(sheet?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const rows = sheet
      ?.getSheetValues()
      .slice(1)
      .map((values) => (Array.isArray(values) ? values.slice(1) : values));
    expect(rows).toEqual([
      ['row', 'column', 'severity', 'code', 'message', 'suggestion'],
      [
        undefined,
        undefined,
        'warning',
        'UNKNOWN_COLUMN',
        'The column "nickname" is not part of the template.',
        'Remove it, or rename it to a template column.',
      ],
      [
        2,
        'email',
        'error',
        'INVALID_EMAIL',
        `'=HYPERLINK("http://evil.example","click") is not an email address.`,
        'Write it as name@example.com, without "quotes", commas, or\nline breaks.',
      ],
      [
        12,
        'email',
        'error',
        'DUPLICATE_IN_FILE',
        'ada@example.com is also on row 2.',
        'Remove or merge with row 2.',
      ],
    ]);
  });

  it('streams a large report through a slow destination', async () => {
    const many = Array.from({ length: 5_000 }, (_, index) =>
      issue({
        row: index + 2,
        column: 'email',
        code: 'REQUIRED',
        message: 'email is empty.',
        suggestion: 'Fill it in.',
      }),
    );
    const { sink, written } = slowSink();
    await writeIssuesXlsx(each(many), sink);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.read(streamOf(await written));
    expect(workbook.getWorksheet('Validation report')?.rowCount).toBe(5_001);
  });
});
