import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCsvRecords } from '../../../../functions/bulk-import/parsing/csv-records';
import { FileRejectedError, type SheetRecord } from '../../../../functions/bulk-import/parsing/sheet-record';
import { collect, streamOf } from '../../../fixtures/bulk-import/streams';

const read = (bytes: Buffer | string, chunkSize?: number): Promise<SheetRecord[]> =>
  collect(readCsvRecords(streamOf(bytes, chunkSize)));

async function rejection(bytes: Buffer | string): Promise<FileRejectedError> {
  const error = await read(bytes).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof FileRejectedError))
    throw new Error(`expected a FileRejectedError, got ${String(error)}`);
  return error;
}

const utf16 = (text: string, order: 'le' | 'be'): Buffer => {
  const little = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  return order === 'le' ? little : Buffer.from(little).swap16();
};

describe('readCsvRecords', () => {
  it('reads RFC 4180: quotes, doubled quotes, delimiters and line breaks inside quotes', async () => {
    const csv =
      'email,display_name,department\r\n' +
      'ada@example.com,"Lovelace, Ada","R&D ""Labs"""\r\n' +
      'grace@example.com,"Grace\r\nHopper",Navy\r\n';
    expect(await read(csv)).toEqual([
      { row: 1, cells: ['email', 'display_name', 'department'] },
      { row: 2, cells: ['ada@example.com', 'Lovelace, Ada', 'R&D "Labs"'] },
      { row: 3, cells: ['grace@example.com', 'Grace\r\nHopper', 'Navy'] },
    ]);
  });

  it('numbers rows by record, across LF, CRLF and CR line ends mixed in one file', async () => {
    const csv = 'email\n"a@x.com\nstill row 2"\r\nb@x.com\rc@x.com';
    expect(await read(csv)).toEqual([
      { row: 1, cells: ['email'] },
      { row: 2, cells: ['a@x.com\nstill row 2'] },
      { row: 3, cells: ['b@x.com'] },
      { row: 4, cells: ['c@x.com'] },
    ]);
  });

  it('skips empty rows but keeps the rows after them at their true numbers', async () => {
    expect(await read('email,name\n\n,,\na@x.com,A\n')).toEqual([
      { row: 1, cells: ['email', 'name'] },
      { row: 4, cells: ['a@x.com', 'A'] },
    ]);
  });

  it('trims nothing but empty trailing cells, and passes ragged rows as they are', async () => {
    expect(await read('email,name,phone\n  a@x.com , Ada ,,\nb@x.com\nc@x.com,C,1,extra\n')).toEqual([
      { row: 1, cells: ['email', 'name', 'phone'] },
      { row: 2, cells: ['  a@x.com ', ' Ada '] },
      { row: 3, cells: ['b@x.com'] },
      { row: 4, cells: ['c@x.com', 'C', '1', 'extra'] },
    ]);
  });

  it('refuses a row with a value past column 1,024 as TOO_MANY_COLUMNS, and reads one that ends there', async () => {
    const row = (columns: number) =>
      ['x@example.com', ...Array<string>(columns - 2).fill(''), 'far'].join(',');
    const records = await read(`email,given_name\n${row(1_024)}\n`);
    expect(records[1]?.cells).toHaveLength(1_024);

    const error = await rejection(`email,given_name\n${row(1_024)}\n${row(1_025)}\n`);
    expect(error.code).toBe('TOO_MANY_COLUMNS');
    expect(error.row).toBe(3);
    expect(error.message).toMatch(/^Row 3 has a value in column AMK \(column 1,025\)/);
  });

  it('strips a UTF-8 BOM and keeps non-ASCII text', async () => {
    expect(await read('\uFEFFemail,given_name\nzoe@example.com,Zoë\n')).toEqual([
      { row: 1, cells: ['email', 'given_name'] },
      { row: 2, cells: ['zoe@example.com', 'Zoë'] },
    ]);
  });

  it('reads Excel "Unicode text": UTF-16 LE or BE with a BOM, tab-delimited', async () => {
    const text = 'email\tgiven_name\r\nsøren@example.com\tSøren 😀\r\n';
    const expected = [
      { row: 1, cells: ['email', 'given_name'] },
      { row: 2, cells: ['søren@example.com', 'Søren 😀'] },
    ];
    expect(await read(utf16(text, 'le'))).toEqual(expected);
    expect(await read(utf16(text, 'be'))).toEqual(expected);
  });

  it('detects the delimiter from the header line, ignoring delimiters inside quotes', async () => {
    expect(await read('email;"name, full";phone\na@x.com;"Ada, L";+44 1\n')).toEqual([
      { row: 1, cells: ['email', 'name, full', 'phone'] },
      { row: 2, cells: ['a@x.com', 'Ada, L', '+44 1'] },
    ]);
    expect(await read('email\tname\na@x.com\tA,da\n')).toEqual([
      { row: 1, cells: ['email', 'name'] },
      { row: 2, cells: ['a@x.com', 'A,da'] },
    ]);
    expect(await read('email\na@x.com\n')).toEqual([
      { row: 1, cells: ['email'] },
      { row: 2, cells: ['a@x.com'] },
    ]);
  });

  it('reads the same records however the upload is chunked', async () => {
    const text = '\uFEFFemail;name\r\n"a@x.com";"Zoë\r\n😀"\r\nb@x.com;"x""y"\r\n\r\nc@x.com;Ünal\r\n';
    const whole = await read(text);
    expect(whole.map((record) => record.row)).toEqual([1, 2, 3, 5]);
    for (const chunkSize of [1, 2, 3, 5, 7]) {
      expect(await read(text, chunkSize)).toEqual(whole);
      expect(await read(utf16(text.slice(1), 'le'), chunkSize)).toEqual(whole);
      expect(await read(utf16(text.slice(1), 'be'), chunkSize)).toEqual(whole);
    }
  });

  it('keeps a stray quote inside a value as text, as Excel does', async () => {
    expect(await read('email,name\na@x.com,5" disk\nb@x.com,"Ada"L\n')).toEqual([
      { row: 1, cells: ['email', 'name'] },
      { row: 2, cells: ['a@x.com', '5" disk'] },
      { row: 3, cells: ['b@x.com', '"Ada"L'] },
    ]);
  });

  it('yields what there is of a file with a header and no data', async () => {
    expect(await read('email,given_name\r\n')).toEqual([{ row: 1, cells: ['email', 'given_name'] }]);
  });

  it('stops with MALFORMED_ROW at the row whose quote never closes', async () => {
    const error = await rejection('email,name\na@x.com,Ada\nb@x.com,"Bob\nc@x.com,Cy\nd@x.com,Di\n');
    expect(error.code).toBe('MALFORMED_ROW');
    expect(error.row).toBe(3);
    expect(error.message).toBe(
      'Row 3 opens a quoted value that is never closed, so it and every row after it read as one value.',
    );
    expect(error.suggestion).toBe(
      'Close the quote in row 3; a quote inside a value is written as two quotes ("").',
    );
  });

  it('stops with MALFORMED_ROW early when an unclosed quote runs past 1 MB', async () => {
    const rows = Array.from({ length: 40_000 }, (_, index) => `user${index}@example.com,Name ${index}`).join(
      '\n',
    );
    const error = await rejection(`email,name\na@x.com,"Ada\n${rows}\n`);
    expect(error.code).toBe('MALFORMED_ROW');
    expect(error.row).toBe(2);
    expect(error.message).toMatch(/^Row 2 is longer than 1 MB, .* or a quote there opens a value/);
  });

  it('names the long value, not only a quote, when a row is over 1 MB because one value is', async () => {
    const error = await rejection(`email,name\na@x.com,${'x'.repeat(2 * 1024 * 1024)}\nb@x.com,Bo\n`);
    expect(error.code).toBe('MALFORMED_ROW');
    expect(error.row).toBe(2);
    expect(error.message).toBe(
      "Row 2 is longer than 1 MB, far more than any user's details: either a value in column B is that long, or a quote there opens a value that is never closed, so the rows after it read as one value.",
    );
    expect(error.suggestion).toBe(
      'Shorten the value in column B of row 2, or close its quote (a quote inside a value is written as two quotes ""), then upload the file again.',
    );
  });

  it('rejects text that is not UTF-8 with UNSUPPORTED_ENCODING, naming the first row with it', async () => {
    const latin1 = Buffer.from('email,name\na@x.com,Ada\nb@x.com,José\nc@x.com,Zoë\n', 'latin1');
    const error = await rejection(latin1);
    expect(error.code).toBe('UNSUPPORTED_ENCODING');
    expect(error.row).toBe(3);
    expect(error.message).toMatch(/^Row 3 contains characters that are not UTF-8/);
    expect(error.suggestion).toBe(
      'In Excel choose File › Save As › CSV UTF-8 (Comma delimited) (*.csv), then upload the new file.',
    );
  });

  it('rejects a file that ends inside a UTF-8 character', async () => {
    const truncated = Buffer.concat([Buffer.from('email\na@x.com,Jos'), Buffer.from([0xc3])]);
    const error = await rejection(truncated);
    expect(error.code).toBe('UNSUPPORTED_ENCODING');
    expect(error.row).toBe(2);
  });

  it('rejects UTF-16 without a BOM (NUL bytes), UTF-32, and broken UTF-16', async () => {
    const noBom = await rejection(Buffer.from('email\na@x.com\n', 'utf16le'));
    expect(noBom.code).toBe('UNSUPPORTED_ENCODING');
    expect(noBom.message).toMatch(/NUL characters/);

    const utf32 = await rejection(Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x65, 0x00, 0x00, 0x00]));
    expect(utf32.code).toBe('UNSUPPORTED_ENCODING');
    expect(utf32.message).toBe('The file is UTF-32 text, which is not accepted.');

    const loneSurrogate = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('email\n', 'utf16le'),
      Buffer.from([0x00, 0xd8, 0x61, 0x00]),
    ]);
    const broken = await rejection(loneSurrogate);
    expect(broken.code).toBe('UNSUPPORTED_ENCODING');
    expect(broken.message).toBe('The file is marked as UTF-16 text but contains bytes that are not UTF-16.');
  });

  it('rejects a file with no text as EMPTY_FILE: zero bytes, or a BOM alone', async () => {
    for (const empty of [Buffer.alloc(0), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([0xff, 0xfe])]) {
      const error = await rejection(empty);
      expect(error.code).toBe('EMPTY_FILE');
      expect(error.message).toBe('The file is empty.');
    }
  });

  it('lets go of the upload when the caller stops early', async () => {
    const body = new PassThrough();
    body.write('email\na@x.com\nb@x.com\n');
    for await (const record of readCsvRecords(body)) {
      if (record.row === 2) break;
    }
    expect(body.destroyed).toBe(true);
  });
});
