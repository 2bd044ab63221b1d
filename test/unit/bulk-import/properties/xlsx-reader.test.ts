import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnLetter } from '../../../../functions/bulk-import/domain/header-mapping';
import { openSheet } from '../../../../functions/bulk-import/parsing/open-sheet';
import { FileRejectedError } from '../../../../functions/bulk-import/parsing/sheet-record';
import { readXlsxRecords } from '../../../../functions/bulk-import/parsing/xlsx-records';
import { collect, streamOf } from '../../../fixtures/bulk-import/streams';
import { workbookParts } from '../../../fixtures/bulk-import/workbooks';
import { buildZip } from '../../../fixtures/bulk-import/zip';
import { anyCell, expectedRecords, firstDifference, HEADER_NAMES } from './arbitraries';

/** XML 1.0 cannot hold these at all (Excel escapes them as _xHHHH_, a convention of its own). */
const xmlCharacter = (character: string) => {
  const code = character.codePointAt(0) ?? 0;
  return (
    (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) && code !== 0xfffe && code !== 0xffff
  );
};

const xlsxCell = anyCell.map((text) => [...text].filter(xmlCharacter).join(''));

const sheetRows = fc
  .tuple(
    fc.array(fc.constantFrom(...HEADER_NAMES.filter((name) => name !== '')), { minLength: 1, maxLength: 8 }),
    fc.array(fc.array(xlsxCell, { minLength: 1, maxLength: 10 }), { maxLength: 12 }),
  )
  .map(([header, data]) => [header, ...data]);

const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\r', '&#13;');

/**
 * The rows as a workbook Excel would write: shared strings (escaped, a carriage return as a
 * character reference, since XML reads a bare one as a line feed), blank cells left out. Written
 * by hand rather than with exceljs, whose writer turns astral characters (emoji) into U+FFFD pairs
 * where its output buffer splits them.
 */
function workbookOf(rows: readonly (readonly string[])[], sheetName: string): Buffer {
  const strings: string[] = [];
  const xmlRows = rows
    .map((cells, index) => {
      const xmlCells = cells
        .map((value, column) => {
          if (value === '') return '';
          strings.push(value);
          return `<c r="${columnLetter(column)}${index + 1}" t="s"><v>${strings.length - 1}</v></c>`;
        })
        .join('');
      return `<row r="${index + 1}">${xmlCells}</row>`;
    })
    .join('');
  const parts = workbookParts({ sheets: [{ name: sheetName, rows: xmlRows }], sharedStrings: [] });
  return buildZip(
    parts.map((part) =>
      part.name === 'xl/sharedStrings.xml'
        ? {
            ...part,
            content: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${strings.length}" uniqueCount="${strings.length}">${strings.map((text) => `<si><t xml:space="preserve">${escapeXml(text)}</t></si>`).join('')}</sst>`,
          }
        : part,
    ),
  );
}

describe('readXlsxRecords, for any records written by a spreadsheet library', () => {
  it('yields every non-blank row, with the same cell text in the same order, under its row number', async () => {
    await fc.assert(
      fc.asyncProperty(sheetRows, fc.constantFrom('Users', 'Sheet1'), async (rows, sheetName) => {
        const bytes = workbookOf(rows, sheetName);
        expect(
          firstDifference(await collect(readXlsxRecords(streamOf(bytes, 4096))), expectedRecords(rows)),
        ).toBeUndefined();
      }),
      { numRuns: 30 },
    );
  }, 20_000);
});

describe('readXlsxRecords, wherever the inflated XML is cut into chunks', () => {
  it('keeps every character, a U+FEFF or an emoji on a chunk boundary included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('\uFEFF', '😀', 'é', '가'),
        fc.integer({ min: 1, max: 5 }),
        async (character, gap) => {
          const cell = `${'x'.repeat(gap)}${character}`.repeat(40_000);
          const bytes = workbookOf([['email'], [cell]], 'Users');
          expect(
            firstDifference(
              await collect(readXlsxRecords(streamOf(bytes))),
              expectedRecords([['email'], [cell]]),
            ),
          ).toBeUndefined();
        },
      ),
      { numRuns: 12 },
    );
  }, 20_000);
});

describe('reading damaged workbooks', () => {
  it('either yields rows or throws the typed FileRejectedError, never anything else, however the zip is damaged', async () => {
    const original = workbookOf(
      [
        ['email', 'given_name', 'family_name'],
        ['ada@example.com', 'Ada', 'Lovelace'],
        ['grace@example.com', 'Grace', 'Hopper'],
      ],
      'Users',
    );
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          // Bytes overwritten anywhere: headers, compressed data, the central directory.
          fc
            .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 16 })
            .map((flips) => {
              const bytes = Buffer.from(original);
              for (const [at, value] of flips) bytes[at % bytes.length] = value;
              return bytes;
            }),
          // Cut short, or with noise appended.
          fc.nat({ max: original.length }).map((length) => original.subarray(0, length)),
          fc.uint8Array({ maxLength: 200 }).map((tail) => Buffer.concat([original, tail])),
        ),
        async (bytes) => {
          try {
            const sheet = await openSheet({ body: streamOf(bytes, 4096), fileName: 'users.xlsx' });
            for (const record of await collect(sheet.records)) expect(record.cells.length).toBeGreaterThan(0);
          } catch (error) {
            expect(error).toBeInstanceOf(FileRejectedError);
            rejected++;
          }
        },
      ),
      { numRuns: 80 },
    );
    expect(rejected).toBeGreaterThan(0);
  }, 20_000);
});
