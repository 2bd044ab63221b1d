import { Int32Column, KeyTable } from './key-table';

/** Rows are numbered from 2 (the header is row 1), so 0 in a row column means none. */
const NO_ROW = 0;

/**
 * What validation remembers about a file between its two passes. Everything here grows with the
 * number of distinct keys (emails, employee ids, managers), a few integers per manager reference
 * or a bit per row — never with the rows' contents, which are on disk.
 */

/**
 * The rows each key (an email, an employee id) appears on: the first row per key in a typed
 * column, further rows only for the few keys that repeat. The key table may be shared with the
 * manager references (emails are both); keys interned only there have no rows here.
 */
export class RowsByKey {
  private readonly firstRows = new Int32Column();
  /** Every row of each key seen more than once. */
  private readonly repeatedRows = new Map<number, number[]>();

  constructor(private readonly table = new KeyTable()) {}

  /** Records the key on the row; returns the key's id (see `keyOf`). */
  add(key: string, row: number): number {
    const id = this.table.intern(key);
    const first = this.firstRows.get(id);
    if (first === NO_ROW) {
      this.firstRows.set(id, row);
      return id;
    }
    const rows = this.repeatedRows.get(id);
    if (rows === undefined) this.repeatedRows.set(id, [first, row]);
    else rows.push(row);
    return id;
  }

  keyOf(id: number): string {
    return this.table.keyOf(id);
  }

  /** Whether the key with this id is on more than one row: a check that needs no string. */
  isRepeated(id: number): boolean {
    return this.repeatedRows.has(id);
  }

  rowsOf(key: string): readonly number[] {
    const id = this.table.find(key);
    if (id === -1) return [];
    const first = this.firstRows.get(id);
    if (first === NO_ROW) return [];
    return this.repeatedRows.get(id) ?? [first];
  }

  has(key: string): boolean {
    const id = this.table.find(key);
    return id !== -1 && this.firstRows.get(id) !== NO_ROW;
  }

  /** The rows of a key found on more than one row; undefined for a key on one row or none. */
  repeatsOf(key: string): readonly number[] | undefined {
    const id = this.table.find(key);
    return id === -1 ? undefined : this.repeatedRows.get(id);
  }

  *keys(): Generator<string> {
    for (let id = 0; id < this.table.size; id++) {
      if (this.firstRows.get(id) !== NO_ROW) yield this.table.keyOf(id);
    }
  }

  /** Each key found on more than one row, with its rows. */
  *duplicates(): Generator<readonly [string, readonly number[]]> {
    for (const [id, rows] of this.repeatedRows) yield [this.table.keyOf(id), rows];
  }
}

/** A set of row numbers as a growable bitmap: an eighth of a byte per row. */
export class RowFlags {
  private bits = new Uint8Array(1024);
  /** Distinct rows added. */
  size = 0;

  add(row: number): void {
    if (this.has(row)) return;
    this.size += 1;
    const byte = row >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte] = (this.bits[byte] ?? 0) | (1 << (row & 7));
  }

  has(row: number): boolean {
    return (((this.bits[row >>> 3] ?? 0) >>> (row & 7)) & 1) === 1;
  }
}

/**
 * Which rows name each manager, with each such row's own email (the key a failure cascades
 * through): three integers a reference, grouped by manager only when first asked.
 */
export class ManagerReferences {
  private readonly managerIds = new Int32Column();
  private readonly rows = new Int32Column();
  /** The row's own email's id, or -1 for a row without a valid email. */
  private readonly rowEmailIds = new Int32Column();
  private grouped: { readonly starts: Int32Array; readonly order: Int32Array } | undefined;

  constructor(private readonly table = new KeyTable()) {}

  add(manager: string, row: number, rowEmail: string | undefined): void {
    this.rowEmailIds.push(rowEmail === undefined ? -1 : this.table.intern(rowEmail));
    this.managerIds.push(this.table.intern(manager));
    this.rows.push(row);
    this.grouped = undefined;
  }

  has(manager: string): boolean {
    const id = this.table.find(manager);
    if (id === -1) return false;
    const { starts } = this.groups();
    return (starts[id + 1] ?? 0) > (starts[id] ?? 0);
  }

  *managers(): Generator<string> {
    const { starts } = this.groups();
    for (let id = 0; id < starts.length - 1; id++) {
      if ((starts[id + 1] ?? 0) > (starts[id] ?? 0)) yield this.table.keyOf(id);
    }
  }

  *referencesTo(manager: string): Generator<{ row: number; rowEmail: string | undefined }> {
    const id = this.table.find(manager);
    if (id === -1) return;
    const { starts, order } = this.groups();
    for (let at = starts[id] ?? 0; at < (starts[id + 1] ?? 0); at++) {
      const reference = order[at] ?? 0;
      const rowEmailId = this.rowEmailIds.get(reference);
      yield {
        row: this.rows.get(reference),
        rowEmail: rowEmailId === -1 ? undefined : this.table.keyOf(rowEmailId),
      };
    }
  }

  /** The references sorted by manager id (a counting sort): manager id i's are order[starts[i]..starts[i+1]). */
  private groups(): { readonly starts: Int32Array; readonly order: Int32Array } {
    if (this.grouped !== undefined) return this.grouped;
    const count = this.managerIds.length;
    const starts = new Int32Array(this.table.size + 1);
    for (let reference = 0; reference < count; reference++) {
      const id = this.managerIds.get(reference);
      starts[id + 1] = (starts[id + 1] ?? 0) + 1;
    }
    for (let id = 0; id < this.table.size; id++) starts[id + 1] = (starts[id + 1] ?? 0) + (starts[id] ?? 0);
    const next = starts.slice(0, -1);
    const order = new Int32Array(count);
    for (let reference = 0; reference < count; reference++) {
      const id = this.managerIds.get(reference);
      const at = next[id] ?? 0;
      order[at] = reference;
      next[id] = at + 1;
    }
    this.grouped = { starts, order };
    return this.grouped;
  }
}

export type ManagerProblem = { readonly manager: string } & (
  | { readonly kind: 'not-found' }
  | { readonly kind: 'duplicated'; readonly rows: readonly number[] }
  | { readonly kind: 'row-not-created'; readonly row: number }
);

/**
 * A manager must be an existing user or the email of a row of this file that will be created.
 * "Will be created" cascades: a row whose manager fails is not created, so neither is anyone it
 * manages. Each row fails at most once, so this is linear in the references.
 */
export function findManagerProblems(input: {
  readonly fileEmails: RowsByKey;
  readonly references: ManagerReferences;
  readonly existingEmails: ReadonlySet<string>;
  /** Rows with an error of their own (row rules, duplicates, existing keys). */
  readonly rowsWithErrors: RowFlags;
}): Map<number, ManagerProblem> {
  const { fileEmails, references, existingEmails, rowsWithErrors } = input;
  const problems = new Map<number, ManagerProblem>();
  const failedRows = new Set<number>();
  const notCreated = (row: number) => rowsWithErrors.has(row) || failedRows.has(row);

  const problemWith = (manager: string): ManagerProblem | undefined => {
    if (existingEmails.has(manager)) return undefined;
    const rows = fileEmails.rowsOf(manager);
    const [row] = rows;
    if (row === undefined) return { manager, kind: 'not-found' };
    if (rows.length > 1) return { manager, kind: 'duplicated', rows };
    return notCreated(row) ? { manager, kind: 'row-not-created', row } : undefined;
  };

  const pending = [...references.managers()];
  for (let manager = pending.pop(); manager !== undefined; manager = pending.pop()) {
    const problem = problemWith(manager);
    if (problem === undefined) continue;
    for (const { row, rowEmail } of references.referencesTo(manager)) {
      if (problems.has(row)) continue;
      problems.set(row, problem);
      if (notCreated(row)) continue;
      failedRows.add(row);
      if (rowEmail !== undefined && references.has(rowEmail)) pending.push(rowEmail);
    }
  }
  return problems;
}
