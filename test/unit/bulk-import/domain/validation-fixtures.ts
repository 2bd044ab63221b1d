import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { parseRowLines } from '../../../../functions/bulk-import/adapters/import-row-codec';
import {
  type ValidationOutcome,
  validateImportFile,
} from '../../../../functions/bulk-import/domain/file-validator';
import type { ImportRow } from '../../../../functions/bulk-import/domain/import-row';
import type { ImportIssue } from '../../../../functions/bulk-import/domain/issues';
import type {
  TenantDirectoryLookup,
  ValidationSettings,
} from '../../../../functions/bulk-import/domain/validation-ports';
import type { SheetRecord } from '../../../../functions/bulk-import/parsing/sheet-record';

export const HEADER = [
  'email',
  'given_name',
  'family_name',
  'employee_id',
  'department',
  'job_family',
  'phone',
  'manager_email',
  'locale',
  'roles',
  'groups',
  'start_date',
] as const;
type Column = (typeof HEADER)[number];

export const SETTINGS: ValidationSettings = {
  maxRows: 1000,
  approvalRoles: new Set(['tenant_admin']),
  knownRoles: new Set(['member', 'operator', 'tenant_admin', 'developer']),
  knownGroups: new Set(['eng', 'london']),
  rolePolicy: { rules: [{ department: 'Engineering', roles: ['developer'] }], fallbackRoles: ['member'] },
};

/** A record in HEADER's order from the columns given. */
export function cells(values: Partial<Record<Column, string>>): string[] {
  return HEADER.map((column) => values[column] ?? '');
}

/** Records numbered from 1 (the header), as a reader numbers them. */
export function numbered(rows: readonly (readonly string[])[]): SheetRecord[] {
  return rows.map((row, index) => ({ row: index + 1, cells: row }));
}

/** The template header followed by these rows. */
export function sheet(...rows: Partial<Record<Column, string>>[]): SheetRecord[] {
  return numbered([[...HEADER], ...rows.map(cells)]);
}

async function* streamOf(records: Iterable<SheetRecord>): AsyncGenerator<SheetRecord> {
  yield* records;
}

interface DirectoryCalls {
  readonly emails: string[][];
  readonly employeeIds: string[][];
}

export function directoryWith(
  existing: { emails?: string[]; employeeIds?: string[] } = {},
): TenantDirectoryLookup & { calls: DirectoryCalls } {
  const emails = new Set(existing.emails);
  const employeeIds = new Set(existing.employeeIds);
  const calls: DirectoryCalls = { emails: [], employeeIds: [] };
  return {
    calls,
    async existingEmails(chunk) {
      calls.emails.push([...chunk]);
      return new Set(chunk.filter((email) => emails.has(email)));
    },
    async existingEmployeeIds(chunk) {
      calls.employeeIds.push([...chunk]);
      return new Set(chunk.filter((id) => employeeIds.has(id)));
    },
  };
}

const scratchDirs: string[] = [];
afterEach(async () => {
  for (const dir of scratchDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

export async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'muster-validation-'));
  scratchDirs.push(dir);
  return dir;
}

export async function scratchFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.jsonl'));
}

export interface Validated {
  readonly outcome: ValidationOutcome;
  readonly rows: ImportRow[];
  readonly issues: ImportIssue[];
  /** The issues that reached the sink, in order: `issue:<row>`. */
  readonly sequence: string[];
}

export async function validate(
  records: Iterable<SheetRecord> | AsyncIterable<SheetRecord>,
  options: {
    settings?: ValidationSettings;
    directory?: TenantDirectoryLookup;
    scratchDir?: string;
    onIssue?: () => Promise<void>;
  } = {},
): Promise<Validated> {
  const dir = options.scratchDir ?? (await scratchDir());
  const issues: ImportIssue[] = [];
  const sequence: string[] = [];
  const validRowsPath = join(dir, `valid-rows-${randomUUID()}.jsonl`);
  const outcome = await validateImportFile(
    {
      records: Symbol.asyncIterator in records ? records : streamOf(records),
      settings: options.settings ?? SETTINGS,
      directory: options.directory ?? directoryWith(),
      scratchDir: dir,
      validRowsPath,
    },
    {
      async issue(found) {
        await options.onIssue?.();
        issues.push(found);
        sequence.push(`issue:${found.row}`);
      },
    },
  );
  // Read back as provisioning reads the file.
  const rows = parseRowLines(await readFile(validRowsPath, 'utf8'));
  await rm(validRowsPath);
  return { outcome, rows, issues, sequence };
}

/** The codes of a row's issues. */
export function codesOf(issues: readonly ImportIssue[], row: number | null): string[] {
  return issues.filter((found) => found.row === row).map((found) => found.code);
}
