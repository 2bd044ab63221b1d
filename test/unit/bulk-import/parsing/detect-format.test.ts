import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../../functions/bulk-import/parsing/detect-format';
import { FileRejectedError } from '../../../../functions/bulk-import/parsing/sheet-record';
import { compoundFile } from '../../../fixtures/bulk-import/compound-file';
import { bytesOf, streamOf } from '../../../fixtures/bulk-import/streams';
import { buildZip } from '../../../fixtures/bulk-import/zip';

async function rejection(promise: Promise<unknown>): Promise<FileRejectedError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof FileRejectedError))
    throw new Error(`expected a FileRejectedError, got ${String(error)}`);
  return error;
}

const zip = buildZip([{ name: 'hello.txt', content: 'hello' }]);

describe('detectFormat', () => {
  it('takes a zip for a workbook and hands back every byte, the peeked ones included', async () => {
    const detected = await detectFormat(streamOf(zip, 3), 'users.xlsx');
    expect(detected.format).toBe('xlsx');
    expect((await bytesOf(detected.body)).equals(zip)).toBe(true);
  });

  it('takes text for CSV whatever the name, and hands back every byte', async () => {
    const text = 'email,given_name\r\nada@example.com,Ada\r\n';
    for (const name of ['users.csv', 'users.txt', 'users']) {
      const detected = await detectFormat(streamOf(text, 1), name);
      expect(detected.format).toBe('csv');
      expect((await bytesOf(detected.body)).toString('utf8')).toBe(text);
    }
  });

  it('judges by the bytes first: a zip named .csv is a workbook', async () => {
    expect((await detectFormat(streamOf(zip), 'users.csv')).format).toBe('xlsx');
  });

  it('rejects a file of zero bytes as EMPTY_FILE', async () => {
    const error = await rejection(detectFormat(streamOf(Buffer.alloc(0)), 'users.csv'));
    expect(error.code).toBe('EMPTY_FILE');
    expect(error.message).toBe('The file is empty (0 bytes).');
  });

  it('rejects .xlsm by its name before opening it, and lets go of the upload', async () => {
    const body = streamOf(zip, 8);
    const error = await rejection(detectFormat(body, 'Users.XLSM'));
    expect(body.destroyed).toBe(true);
    expect(error.code).toBe('MACRO_WORKBOOK');
    expect(error.message).toMatch(/macro-enabled workbook/);
    expect(error.suggestion).toMatch(/Excel Workbook \(\*\.xlsx\)/);
  });

  it('rejects a Compound File holding an EncryptionInfo stream as ENCRYPTED_WORKBOOK', async () => {
    const encrypted = compoundFile(['EncryptionInfo', 'EncryptedPackage']);
    // One-byte chunks: the stream name is found across chunk boundaries.
    const error = await rejection(detectFormat(streamOf(encrypted, 1), 'users.xlsx'));
    expect(error.code).toBe('ENCRYPTED_WORKBOOK');
    expect(error.message).toBe('The workbook is protected with a password, so it cannot be read.');
    expect(error.suggestion).toMatch(/remove the password/);
  });

  it('rejects any other Compound File (an Excel 97-2003 .xls) as UNSUPPORTED_FILE_TYPE', async () => {
    const legacy = compoundFile(['Workbook', '\u0005SummaryInformation']);
    for (const name of ['users.xls', 'users.xlsx']) {
      const error = await rejection(detectFormat(streamOf(legacy), name));
      expect(error.code).toBe('UNSUPPORTED_FILE_TYPE');
      expect(error.message).toMatch(/Excel 97-2003 format \(\.xls\)/);
      expect(error.suggestion).toMatch(/save it as \.xlsx or \.csv/);
    }
  });

  it('rejects a .xls that is neither a workbook nor a Compound File (an HTML export)', async () => {
    const error = await rejection(
      detectFormat(streamOf('<html><table><tr><td>x</td></tr></table>'), 'users.xls'),
    );
    expect(error.code).toBe('UNSUPPORTED_FILE_TYPE');
    expect(error.message).toMatch(/named \.xls but is not a workbook/);
    expect(error.suggestion).toMatch(/save it as \.xlsx or \.csv/);
  });

  it('rejects a .xlsx whose bytes are not a zip as CORRUPT_FILE', async () => {
    const error = await rejection(detectFormat(streamOf('email\nada@example.com\n'), 'users.xlsx'));
    expect(error.code).toBe('CORRUPT_FILE');
    expect(error.message).toBe(
      'The file is named .xlsx but its content is not an Excel workbook: it is damaged or was renamed.',
    );
    expect(error.suggestion).toMatch(/^The file is damaged; open it in Excel and save it again/);
  });

  it('rejects documents that are plainly not spreadsheets, naming what they are', async () => {
    const error = await rejection(detectFormat(streamOf('%PDF-1.7\n%âãÏÓ\n'), 'users.csv'));
    expect(error.code).toBe('UNSUPPORTED_FILE_TYPE');
    expect(error.message).toBe('The file is a PDF document, not a spreadsheet.');
  });
});
