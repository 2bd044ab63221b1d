import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileRejectedError, type SheetRecord } from '../../../../functions/bulk-import/parsing/sheet-record';
import {
  readXlsxRecords,
  type XlsxReadOptions,
} from '../../../../functions/bulk-import/parsing/xlsx-records';
import { collect, streamOf } from '../../../fixtures/bulk-import/streams';
import { type PackageSpec, workbookBuffer, workbookParts } from '../../../fixtures/bulk-import/workbooks';
import { buildZip, type ZipFileSpec } from '../../../fixtures/bulk-import/zip';

const read = (bytes: Buffer, options?: XlsxReadOptions): Promise<SheetRecord[]> =>
  collect(readXlsxRecords(streamOf(bytes), options));

async function rejection(bytes: Buffer, options?: XlsxReadOptions): Promise<FileRejectedError> {
  const error = await read(bytes, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof FileRejectedError))
    throw new Error(`expected a FileRejectedError, got ${String(error)}`);
  return error;
}

const usersSheet = (rows: string): PackageSpec => ({ sheets: [{ name: 'Users', rows }] });
const inlineCell = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;

// Every test gets its own temporary directory, so that it can check the reader cleaned up.
let temporary: string;
beforeEach(async () => {
  temporary = await mkdtemp(join(tmpdir(), 'xlsx-records-test-'));
  vi.stubEnv('TMPDIR', temporary);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  expect(await readdir(temporary)).toEqual([]);
  await rm(temporary, { recursive: true, force: true });
});

describe('readXlsxRecords', () => {
  it('reads the Users sheet with every cell as Excel shows it', async () => {
    const workbook = await workbookBuffer((book) => {
      book.addWorksheet('Instructions').addRow(['Fill in the Users sheet']);
      const users = book.addWorksheet('Users');
      users.addRow(['email', 'employee_id', 'start_date', 'phone', 'manager_email', 'display_name', 'roles']);
      const first = users.addRow([
        'ada@example.com',
        123,
        new Date(Date.UTC(2026, 0, 15)),
        '+44 7911 123456',
        { formula: 'LOWER("GRACE@EXAMPLE.COM")', result: 'grace@example.com' },
        { richText: [{ text: 'Ada ', font: { bold: true } }, { text: 'Lovelace' }] },
        { text: 'admin', hyperlink: 'https://example.com/roles/admin' },
      ]);
      first.getCell(2).numFmt = '00000';
      first.getCell(3).numFmt = 'yyyy-mm-dd';
      const second = users.addRow([
        'grace@example.com',
        '00042',
        { formula: 'DATE(2026,2,1)', result: 46054 },
        447911123456,
        true,
        { error: '#N/A' },
        0.256,
      ]);
      second.getCell(3).numFmt = 'yyyy-mm-dd';
      second.getCell(7).numFmt = '0.0%';
    });
    expect(await read(workbook)).toEqual([
      {
        row: 1,
        cells: ['email', 'employee_id', 'start_date', 'phone', 'manager_email', 'display_name', 'roles'],
      },
      {
        row: 2,
        cells: [
          'ada@example.com',
          '00123',
          '2026-01-15',
          '+44 7911 123456',
          'grace@example.com',
          'Ada Lovelace',
          'admin',
        ],
      },
      {
        row: 3,
        cells: ['grace@example.com', '00042', '2026-02-01', '447911123456', 'TRUE', '#N/A', '25.6%'],
      },
    ]);
  });

  it('skips empty rows, keeps true row numbers and drops empty trailing cells', async () => {
    const workbook = await workbookBuffer((book) => {
      const users = book.addWorksheet('Users');
      users.getCell('A1').value = 'email';
      users.getCell('A4').value = 'ada@example.com';
      users.getCell('C4').value = 'Eng';
      // Styled but empty cells and rows, as a formatted template has.
      users.getCell('F4').numFmt = '@';
      users.getCell('B6').numFmt = '@';
    });
    expect(await read(workbook)).toEqual([
      { row: 1, cells: ['email'] },
      { row: 4, cells: ['ada@example.com', '', 'Eng'] },
    ]);
  });

  it('finds the Users sheet whatever its case, else reads the first visible worksheet', async () => {
    const named = await workbookBuffer((book) => {
      book.addWorksheet('Notes').addRow(['not this one']);
      book.addWorksheet('USERS').addRow(['email']);
    });
    expect(await read(named)).toEqual([{ row: 1, cells: ['email'] }]);

    const unnamed = workbookParts({
      sheets: [
        { name: 'Old', rows: `<row r="1">${inlineCell('A1', 'hidden')}</row>`, state: 'hidden' },
        { name: 'Staff', rows: `<row r="1">${inlineCell('A1', 'email')}</row>` },
        { name: 'Other', rows: `<row r="1">${inlineCell('A1', 'other')}</row>` },
      ],
    });
    expect(await read(buildZip(unnamed))).toEqual([{ row: 1, cells: ['email'] }]);
  });

  it('reads workbooks whose parts come in Excel order, with shared strings and formats after the sheet', async () => {
    const parts = workbookParts({
      sheets: [
        {
          name: 'Users',
          rows:
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>' +
            '<row r="2"><c r="A2" s="1"><v>7</v></c><c r="B2" s="2"><v>46037</v></c></row>',
        },
      ],
      sharedStrings: ['employee_id', 'start_date'],
      numberFormats: ['00000', 'dd.mm.yyyy'],
    });
    expect(parts.map((part) => part.name).slice(-3)).toEqual([
      'xl/worksheets/sheet1.xml',
      'xl/styles.xml',
      'xl/sharedStrings.xml',
    ]);
    expect(await read(buildZip(parts))).toEqual([
      { row: 1, cells: ['employee_id', 'start_date'] },
      { row: 2, cells: ['00007', '15.01.2026'] },
    ]);
  });

  it('reads shared formulas by their cached results, and inline strings', async () => {
    const parts = workbookParts(
      usersSheet(
        `<row r="1">${inlineCell('A1', 'n')}${inlineCell('B1', 'twice')}</row>` +
          '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" ref="B2:B3" si="0">A2*2</f><v>4</v></c></row>' +
          '<row r="3"><c r="A3"><v>0</v></c><c r="B3"><f t="shared" si="0"/><v>0</v></c></row>' +
          '<row r="4"><c r="A4"><f>1/0</f><v>#DIV/0!</v></c><c r="B4"><f>A9</f></c></row>',
      ),
    );
    expect(await read(buildZip(parts))).toEqual([
      { row: 1, cells: ['n', 'twice'] },
      { row: 2, cells: ['2', '4'] },
      // A cached 0 is a value like any other.
      { row: 3, cells: ['0', '0'] },
      // Row 4 reads as empty and is skipped: exceljs parses a cached #DIV/0! as a number (NaN), and
      // a formula without a cached result has nothing to show.
    ]);
  });

  it('counts dates from 1904 in a 1904 workbook', async () => {
    const workbook = await workbookBuffer((book) => {
      book.properties.date1904 = true;
      const users = book.addWorksheet('Users');
      users.addRow(['start_date', 'computed']);
      const row = users.addRow([
        new Date(Date.UTC(2026, 0, 15)),
        { formula: 'A2+1', result: 46037 - 1462 + 1 },
      ]);
      row.getCell(1).numFmt = 'yyyy-mm-dd';
      row.getCell(2).numFmt = 'yyyy-mm-dd';
    });
    expect(await read(workbook)).toEqual([
      { row: 1, cells: ['start_date', 'computed'] },
      { row: 2, cells: ['2026-01-15', '2026-01-16'] },
    ]);
  });

  it('reads a workbook written by a streaming writer with shared strings', async () => {
    const out = new PassThrough();
    const chunks = collect(out);
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useSharedStrings: true,
      useStyles: true,
    });
    const sheet = writer.addWorksheet('Users');
    sheet.addRow(['email', 'employee_id']).commit();
    for (let index = 1; index <= 500; index++) {
      const row = sheet.addRow([`user${index}@example.com`, index]);
      row.getCell(2).numFmt = '000000';
      row.commit();
    }
    sheet.commit();
    await writer.commit();
    const records = await read(Buffer.concat((await chunks).map((chunk) => Buffer.from(chunk))));
    expect(records).toHaveLength(501);
    expect(records[500]).toEqual({ row: 501, cells: ['user500@example.com', '000500'] });
  });

  it('reads a value in the last column allowed, and refuses one past it as TOO_MANY_COLUMNS at its row', async () => {
    const bytes = (column: number) =>
      workbookBuffer((workbook) => {
        const sheet = workbook.addWorksheet('Users');
        sheet.addRow(['email', 'given_name']);
        sheet.addRow(['ada@example.com', 'Ada']);
        sheet.getRow(3).getCell(1).value = 'alan@example.com';
        sheet.getRow(3).getCell(column).value = 'far';
      });
    const records = await read(await bytes(1_024));
    expect(records[2]?.cells).toHaveLength(1_024);
    expect(records[2]?.cells[1_023]).toBe('far');
    expect(records[2]?.cells.slice(1, 1_023).every((cell) => cell === '')).toBe(true);

    const error = await rejection(await bytes(16_384));
    expect(error.code).toBe('TOO_MANY_COLUMNS');
    expect(error.row).toBe(3);
    expect(error.message).toBe(
      'Row 3 has a value in column XFD (column 16,384); Muster reads at most 1,024 columns.',
    );
    expect(error.suggestion).toMatch(/^Delete the values after column AMJ/);
  });

  it('keeps non-ASCII text whole wherever the inflated XML splits into chunks', async () => {
    // Long runs of three-byte characters: zlib's 16 KB output chunks are bound to split some.
    const names = Array.from({ length: 8 }, (_, index) => `${'山田太郎'.repeat(2000)}${index}`);
    const parts = workbookParts({
      ...usersSheet(
        names
          .map((_, index) => `<row r="${index + 1}"><c r="A${index + 1}" t="s"><v>${index}</v></c></row>`)
          .join(''),
      ),
      sharedStrings: names,
    });
    const records = await read(buildZip(parts));
    expect(records.map((record) => record.cells[0])).toEqual(names);
  });

  it('reads a ZIP64 archive', async () => {
    const parts = workbookParts(usersSheet(`<row r="1">${inlineCell('A1', 'email')}</row>`));
    expect(await read(buildZip(parts, { zip64: true }))).toEqual([{ row: 1, cells: ['email'] }]);
  });

  it('cleans up when the caller stops early', async () => {
    const workbook = await workbookBuffer((book) => {
      const users = book.addWorksheet('Users');
      for (let index = 0; index < 100; index++) users.addRow([`user${index}@example.com`]);
    });
    for await (const record of readXlsxRecords(streamOf(workbook))) {
      if (record.row === 2) break;
    }
    // afterEach checks the temporary directory is empty.
  });
});

describe('readXlsxRecords rejections', () => {
  const plain = (extra: readonly ZipFileSpec[] = [], spec: Partial<PackageSpec> = {}) =>
    buildZip([
      ...workbookParts({ ...usersSheet(`<row r="1">${inlineCell('A1', 'email')}</row>`), ...spec }),
      ...extra,
    ]);

  it('rejects macros as MACRO_WORKBOOK: a VBA project, an Excel 4 macro sheet, a macro-enabled content type', async () => {
    const withVba = plain([{ name: 'xl/vbaProject.bin', content: Buffer.from([0xd0, 0xcf, 0x11, 0xe0]) }]);
    const withMacroSheet = plain([{ name: 'xl/macrosheets/sheet1.xml', content: '<xm:macrosheet/>' }]);
    const macroEnabled = plain([], {
      workbookContentType: 'application/vnd.ms-excel.sheet.macroEnabled.main+xml',
    });
    for (const workbook of [withVba, withMacroSheet, macroEnabled]) {
      const error = await rejection(workbook);
      expect(error.code).toBe('MACRO_WORKBOOK');
      expect(error.message).toBe(
        'The file is a macro-enabled workbook; those are not accepted because macros can run code.',
      );
    }
  });

  it('rejects zips that are not workbooks as UNSUPPORTED_FILE_TYPE, saying what they are', async () => {
    const binary = plain([], {
      workbookContentType: 'application/vnd.ms-excel.sheet.binary.macroEnabled.main',
    });
    expect((await rejection(binary)).message).toBe(
      'The file is an Excel Binary Workbook (.xlsb), which is not accepted.',
    );

    const document = plain([], {
      workbookContentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
    });
    expect((await rejection(document)).message).toMatch(/another kind, such as a Word document/);

    const openDocument = buildZip([
      { name: 'mimetype', content: 'application/vnd.oasis.opendocument.spreadsheet', compress: false },
      { name: 'content.xml', content: '<office:document-content/>' },
    ]);
    const ods = await rejection(openDocument);
    expect(ods.code).toBe('UNSUPPORTED_FILE_TYPE');
    expect(ods.message).toBe('The file is not an Excel workbook. It is an OpenDocument spreadsheet (.ods).');
    expect(ods.suggestion).toMatch(/Excel Workbook \(\.xlsx\) or as CSV UTF-8/);

    const other = await rejection(buildZip([{ name: 'photo.txt', content: 'hello' }]));
    expect(other.message).toBe('The file is not an Excel workbook. It is a zip archive of some other kind.');
  });

  it('rejects damaged files as CORRUPT_FILE: cut off, failing a CRC, unreadable sheet XML, missing parts', async () => {
    const whole = plain();
    const cutOff = await rejection(whole.subarray(0, whole.length - 30));
    expect(cutOff.code).toBe('CORRUPT_FILE');
    expect(cutOff.message).toMatch(/not a complete Excel workbook/);
    expect(cutOff.suggestion).toMatch(/^The file is damaged; open it in Excel and save it again/);

    const parts = workbookParts(usersSheet(`<row r="1">${inlineCell('A1', 'email')}</row>`));
    const badCrc = parts.map((part) =>
      part.name.includes('worksheets') ? { ...part, declaredCrc: 1234 } : part,
    );
    expect((await rejection(buildZip(badCrc))).code).toBe('CORRUPT_FILE');

    const badXml = parts.map((part) =>
      part.name.includes('worksheets')
        ? {
            ...part,
            content: '<worksheet><sheetData><row r="1"><c r="A1"><v>1</x></c></row></sheetData></worksheet>',
          }
        : part,
    );
    const unreadable = await rejection(buildZip(badXml));
    expect(unreadable.code).toBe('CORRUPT_FILE');
    expect(unreadable.message).toBe('The file is damaged: the sheet "Users" cannot be read.');

    const noSheet = parts.filter((part) => !part.name.includes('worksheets'));
    expect((await rejection(buildZip(noSheet))).message).toBe(
      'The workbook lists sheet "Users" but does not contain it.',
    );
  });

  it('rejects a zip whose entries are encrypted as ENCRYPTED_WORKBOOK', async () => {
    const parts = workbookParts(usersSheet('')).map((part) => ({ ...part, encrypted: true }));
    const error = await rejection(buildZip(parts));
    expect(error.code).toBe('ENCRYPTED_WORKBOOK');
    expect(error.message).toBe('The file is a password-protected zip archive, so it cannot be read.');
    expect(error.suggestion).toBe('Save the workbook from Excel without a password and upload it again.');
  });

  it('rejects a zip bomb as FILE_TOO_LARGE by its declared sizes, before inflating it', async () => {
    const row = (index: number) =>
      `<row r="${index}">${inlineCell(`A${index}`, `user${index}@example.com`)}</row>`;
    const rows = Array.from({ length: 50_000 }, (_, index) => row(index + 1)).join('');
    const bomb = buildZip(workbookParts(usersSheet(rows)));
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const error = await rejection(bomb, { maxInflatedBytes: 1024 * 1024 });
    expect(error.code).toBe('FILE_TOO_LARGE');
    expect(error.message).toBe('Unpacked, the sheet "Users" would take more than 1 MB.');
    expect(error.suggestion).toMatch(/Split the users over several files/);
  });

  it('refuses a part as CORRUPT_FILE when it outgrows the size it declared', async () => {
    const huge = `<row r="1">${inlineCell('A1', 'email')}</row>${'<row r="2"/>'.repeat(2_000_000)}`;
    const parts = workbookParts(usersSheet(huge)).map((part) =>
      part.name.includes('worksheets') ? { ...part, declaredSize: 1000 } : part,
    );
    const error = await rejection(buildZip(parts), { maxInflatedBytes: 1024 * 1024 });
    expect(error.code).toBe('CORRUPT_FILE');
  });

  it('rejects shared strings over their own limit as FILE_TOO_LARGE', async () => {
    const parts = workbookParts({
      ...usersSheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
      sharedStrings: Array.from({ length: 1000 }, (_, index) => `user${index}@example.com`),
    });
    const error = await rejection(buildZip(parts), { maxSharedStringsBytes: 10_000 });
    expect(error.code).toBe('FILE_TOO_LARGE');
    expect(error.message).toBe('The workbook holds more than 0 MB of text in its cells.');
  });
});
