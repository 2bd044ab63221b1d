import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { readCsvRecords } from '../../functions/bulk-import/parsing/csv-records';
import { readXlsxRecords } from '../../functions/bulk-import/parsing/xlsx-records';
import { validateRecords } from './validation';

/** A measured run: reads the file at `path` and returns how many rows it got out of it. */
export type BenchCase = (path: string) => Promise<number>;

export const BENCH_CASES = {
  /** csv-parse alone, as fast as it goes: records as arrays of strings. */
  'csv-raw': async (path) => {
    let rows = 0;
    for await (const _record of createReadStream(path).pipe(parse({ relax_column_count: true }))) rows++;
    return rows;
  },
  'csv-ours': async (path) => {
    let rows = 0;
    for await (const _record of readCsvRecords(createReadStream(path))) rows++;
    return rows;
  },
  /** exceljs's streaming reader alone: every sheet, every cell's value. */
  'xlsx-raw': async (path) => {
    let rows = 0;
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(createReadStream(path), {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache',
      hyperlinks: 'ignore',
    });
    for await (const worksheet of reader) {
      for await (const row of worksheet) {
        for (let column = 1; column <= row.cellCount; column++) row.findCell(column)?.value;
        rows++;
      }
    }
    return rows;
  },
  'xlsx-ours': async (path) => {
    let rows = 0;
    for await (const _record of readXlsxRecords(createReadStream(path))) rows++;
    return rows;
  },
  'csv-validation': (path) => validateRecords(readCsvRecords(createReadStream(path))),
  'xlsx-validation': (path) => validateRecords(readXlsxRecords(createReadStream(path))),
} satisfies Record<string, BenchCase>;

export type BenchCaseName = keyof typeof BENCH_CASES;
