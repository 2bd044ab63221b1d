import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { COLUMN_NAMES } from '../../functions/bulk-import/domain/template-columns';

/** Bumped whenever the generated data changes, so stale files in the temporary directory are not reused. */
const FIXTURE_VERSION = 1;

/** The template's columns, in the template's order. */
export const BENCH_HEADER = COLUMN_NAMES;

const DEPARTMENTS = ['Engineering', 'Sales', 'Finance', 'People', 'Support'] as const;
const JOB_FAMILIES = ['Individual contributor', 'Manager', 'Director'] as const;
const GIVEN_NAMES = ['Ada', 'Grace', 'Søren', 'Zoë', 'Ünal', 'José', 'Mei', 'Olu'] as const;

/** A plausible user: every field filled, valid, with a manager a few rows up the file. */
export function benchUser(index: number): {
  cells: string[];
  employeeNumber: number;
  startDate: Date;
} {
  const given = GIVEN_NAMES[index % GIVEN_NAMES.length] ?? 'Ada';
  const family = `Example${index}`;
  const startDate = new Date(Date.UTC(2026, index % 12, 1 + (index % 28)));
  return {
    cells: [
      `user${index}@example.com`,
      given,
      family,
      `${given} ${family}`,
      String(index).padStart(7, '0'),
      DEPARTMENTS[index % DEPARTMENTS.length] ?? 'Engineering',
      JOB_FAMILIES[index % JOB_FAMILIES.length] ?? 'Manager',
      `+44 20 7946 ${String(index % 1000).padStart(4, '0')}`,
      index < 10 ? '' : `user${Math.floor(index / 10)}@example.com`,
      'en-GB',
      index % 7 === 0 ? 'operator' : '',
      'eng',
      startDate.toISOString().slice(0, 10),
    ],
    employeeNumber: index,
    startDate,
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    (stats) => stats.size > 0,
    () => false,
  );
}

/** A CSV of `rows` users in the temporary directory, written once and reused by later runs. */
export async function csvFixture(rows: number): Promise<string> {
  const path = join(tmpdir(), `muster-bench-v${FIXTURE_VERSION}-users-${rows}.csv`);
  if (await exists(path)) return path;
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  let batch = `${BENCH_HEADER.join(',')}\r\n`;
  for (let index = 1; index <= rows; index++) {
    batch += `${benchUser(index).cells.join(',')}\r\n`;
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
  await rename(partial, path);
  return path;
}

/**
 * An .xlsx of `rows` users as Excel users make them: shared strings, employee ids stored as
 * numbers under a `0000000` format, start dates as date cells, written once and reused.
 */
export async function xlsxFixture(rows: number): Promise<string> {
  const path = join(tmpdir(), `muster-bench-v${FIXTURE_VERSION}-users-${rows}.xlsx`);
  if (await exists(path)) return path;
  const partial = `${path}.partial`;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: partial,
    useSharedStrings: true,
    useStyles: true,
  });
  workbook.addWorksheet('Instructions').addRow(['Fill in the Users sheet, one user per row.']).commit();
  const sheet = workbook.addWorksheet('Users');
  sheet.addRow([...BENCH_HEADER]).commit();
  for (let index = 1; index <= rows; index++) {
    const { cells, employeeNumber, startDate } = benchUser(index);
    const row = sheet.addRow([...cells.slice(0, 4), employeeNumber, ...cells.slice(5, 12), startDate]);
    row.getCell(5).numFmt = '0000000';
    row.getCell(13).numFmt = 'yyyy-mm-dd';
    row.commit();
  }
  sheet.commit();
  await workbook.commit();
  await rename(partial, path);
  return path;
}
