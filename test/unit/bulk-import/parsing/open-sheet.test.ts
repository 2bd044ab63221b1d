import { describe, expect, it } from 'vitest';
import { openSheet } from '../../../../functions/bulk-import/parsing/open-sheet';
import { FileRejectedError } from '../../../../functions/bulk-import/parsing/sheet-record';
import { collect, streamOf } from '../../../fixtures/bulk-import/streams';
import { workbookBuffer } from '../../../fixtures/bulk-import/workbooks';

describe('openSheet', () => {
  it('reads a CSV upload', async () => {
    const sheet = await openSheet({ body: streamOf('email\r\nada@example.com\r\n'), fileName: 'users.csv' });
    expect(sheet.format).toBe('csv');
    expect(await collect(sheet.records)).toEqual([
      { row: 1, cells: ['email'] },
      { row: 2, cells: ['ada@example.com'] },
    ]);
  });

  it('reads an XLSX upload, passing the inflation limits on', async () => {
    const workbook = await workbookBuffer((book) => {
      book.addWorksheet('Users').addRows([['email'], ['ada@example.com']]);
    });
    const sheet = await openSheet({ body: streamOf(workbook), fileName: 'users.xlsx' });
    expect(sheet.format).toBe('xlsx');
    expect(await collect(sheet.records)).toEqual([
      { row: 1, cells: ['email'] },
      { row: 2, cells: ['ada@example.com'] },
    ]);

    const limited = await openSheet(
      { body: streamOf(workbook), fileName: 'users.xlsx' },
      { maxInflatedBytes: 10 },
    );
    await expect(collect(limited.records)).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
  });

  it('rejects at once what detection alone can tell', async () => {
    await expect(openSheet({ body: streamOf(''), fileName: 'users.csv' })).rejects.toBeInstanceOf(
      FileRejectedError,
    );
  });
});
