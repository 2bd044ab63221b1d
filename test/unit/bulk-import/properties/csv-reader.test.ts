import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsvRecords } from '../../../../functions/bulk-import/parsing/csv-records';
import { openSheet } from '../../../../functions/bulk-import/parsing/open-sheet';
import { FileRejectedError } from '../../../../functions/bulk-import/parsing/sheet-record';
import { collect, streamOf } from '../../../fixtures/bulk-import/streams';
import { anyCell, anyText, expectedRecords, firstDifference, HEADER_NAMES } from './arbitraries';

const LINE_ENDS = ['\r\n', '\n', '\r'] as const;
const DELIMITERS = [',', ';', '\t'] as const;

interface CsvStyle {
  readonly delimiter: (typeof DELIMITERS)[number];
  /** One line end for the whole file, or each line its own. */
  readonly lineEnds: readonly (typeof LINE_ENDS)[number][];
  readonly quoteEveryCell: boolean;
  readonly bom: boolean;
}

/**
 * RFC 4180 as spreadsheets write it, in any of the styles the reader accepts: a cell holding a
 * quote, a line break or any delimiter the reader sniffs for is quoted, quotes doubled. A row of
 * one empty cell is written `""` so that no line is empty (a CR line end then an empty LF line
 * would read as one CRLF: the format cannot tell them apart).
 */
function writeCsv(rows: readonly (readonly string[])[], style: CsvStyle): string {
  const field = (value: string) =>
    style.quoteEveryCell || /["\r\n,;\t]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  const lines = rows.map((cells, index) => {
    const line = cells.length === 1 && cells[0] === '' ? '""' : cells.map(field).join(style.delimiter);
    return line + style.lineEnds[index % style.lineEnds.length];
  });
  return (style.bom ? '\uFEFF' : '') + lines.join('');
}

const csvStyle = fc.record({
  delimiter: fc.constantFrom(...DELIMITERS),
  lineEnds: fc.oneof(
    fc.constantFrom(...LINE_ENDS).map((end) => [end]),
    fc.array(fc.constantFrom(...LINE_ENDS), { minLength: 1, maxLength: 5 }),
  ),
  quoteEveryCell: fc.boolean(),
  bom: fc.boolean(),
});

/** A header of at least two names (the delimiter is sniffed from the header line), then data rows. */
const sheetRows = fc
  .tuple(
    fc.array(fc.constantFrom(...HEADER_NAMES.filter((name) => name !== '')), { minLength: 2, maxLength: 8 }),
    fc.array(fc.array(anyCell, { minLength: 1, maxLength: 10 }), { maxLength: 12 }),
  )
  .map(([header, data]) => [header, ...data]);

/** Chunk sizes down to one byte split every multi-byte character somewhere; big files get bigger chunks. */
const chunkSize = fc.constantFrom(1, 2, 3, 5, 64, 4096, 65_536);

const read = (bytes: Buffer | string, size: number) => collect(readCsvRecords(streamOf(bytes, size)));
const readable = (bytes: Buffer, size: number) => (bytes.length > 20_000 ? Math.max(size, 4096) : size);

describe('readCsvRecords, for any records written as CSV', () => {
  it('yields every non-blank record, with the same cells in the same order, under its row number', async () => {
    await fc.assert(
      fc.asyncProperty(sheetRows, csvStyle, chunkSize, async (rows, style, size) => {
        const clean = rows.map((cells) => cells.map((cell) => cell.replaceAll('\0', '')));
        const bytes = Buffer.from(writeCsv(clean, style), 'utf8');
        expect(
          firstDifference(await read(bytes, readable(bytes, size)), expectedRecords(clean)),
        ).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  }, 20_000);

  it('reads UTF-16 (Excel "Unicode text", tab-separated) the same as UTF-8', async () => {
    await fc.assert(
      fc.asyncProperty(
        sheetRows,
        fc.constantFrom('utf16le', 'utf16be'),
        chunkSize,
        async (rows, order, size) => {
          const clean = rows.map((cells) => cells.map((cell) => cell.replaceAll('\0', '')));
          const text = writeCsv(clean, {
            delimiter: '\t',
            lineEnds: ['\r\n'],
            quoteEveryCell: false,
            bom: true,
          });
          const little = Buffer.from(text, 'utf16le');
          const bytes = order === 'utf16le' ? little : Buffer.from(little).swap16();
          expect(
            firstDifference(await read(bytes, readable(bytes, size)), expectedRecords(clean)),
          ).toBeUndefined();
        },
      ),
      { numRuns: 30 },
    );
  }, 20_000);

  it('refuses a file with a NUL character as a whole (UNSUPPORTED_ENCODING), never part of it', async () => {
    await fc.assert(
      fc.asyncProperty(sheetRows, csvStyle, fc.nat(), async (rows, style, at) => {
        const text = writeCsv(rows, style);
        const position = at % (text.length + 1);
        const withNul = `${text.slice(0, position)}\0${text.slice(position)}`;
        await expect(read(withNul, 4096)).rejects.toMatchObject({ code: 'UNSUPPORTED_ENCODING' });
      }),
      { numRuns: 60 },
    );
  }, 20_000);
});

describe('reading arbitrary bytes', () => {
  /** Bytes that look like a file now and then: a real CSV with bytes flipped, or pure noise. */
  const anyBytes = fc.oneof(
    fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
    fc
      .tuple(
        sheetRows,
        csvStyle,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      )
      .map(([rows, style, flips]) => {
        const bytes = Buffer.from(writeCsv(rows, style), 'utf8');
        for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value;
        return bytes;
      }),
    fc
      .tuple(
        fc.constantFrom([0xff, 0xfe], [0xfe, 0xff], [0xef, 0xbb, 0xbf]),
        fc.uint8Array({ maxLength: 500 }),
      )
      .map(([bom, rest]) => Buffer.concat([Buffer.from(bom), rest])),
  );

  it('either yields records or throws the typed FileRejectedError, never anything else', async () => {
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(
        anyBytes,
        fc.constantFrom('users.csv', 'users.xlsx', 'users.txt'),
        chunkSize,
        async (bytes, name, size) => {
          try {
            const sheet = await openSheet({ body: streamOf(bytes, readable(bytes, size)), fileName: name });
            const records = await collect(sheet.records);
            for (const record of records) {
              expect(record.row).toBeGreaterThan(0);
              expect(record.cells.length).toBeGreaterThan(0);
            }
          } catch (error) {
            expect(error).toBeInstanceOf(FileRejectedError);
            rejected++;
          }
        },
      ),
      { numRuns: 150 },
    );
    // The noise is not all accepted: the property met the refusals it is about.
    expect(rejected).toBeGreaterThan(0);
  });

  it('invents no text: every character of every cell is one the file holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyText, { minLength: 1, maxLength: 30 }), async (pieces) => {
        const text = pieces.join('');
        const bytes = Buffer.from(text, 'utf8');
        let records: { row: number; cells: readonly string[] }[] = [];
        try {
          records = await read(bytes, 7);
        } catch (error) {
          expect(error).toBeInstanceOf(FileRejectedError);
          return;
        }
        // Whatever the quoting, the cells hold no character the file did not.
        const yielded = records.flatMap((record) => record.cells).join('');
        for (const character of yielded) expect(text).toContain(character);
      }),
      { numRuns: 150 },
    );
  }, 20_000);
});
