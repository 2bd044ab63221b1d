/**
 * What validation remembers about a file between its two passes. Everything here grows with the
 * number of distinct keys (emails, employee ids, managers) or is a bit per row — never with the
 * rows' contents, which wait in the scratch file.
 */

/** The rows each key (an email, an employee id) appears on; a key seen once costs no array. */
export class RowsByKey {
  private readonly rowsByKey = new Map<string, number | number[]>();

  add(key: string, row: number): void {
    const rows = this.rowsByKey.get(key);
    if (rows === undefined) this.rowsByKey.set(key, row);
    else if (typeof rows === 'number') this.rowsByKey.set(key, [rows, row]);
    else rows.push(row);
  }

  rowsOf(key: string): readonly number[] {
    const rows = this.rowsByKey.get(key);
    if (rows === undefined) return [];
    return typeof rows === 'number' ? [rows] : rows;
  }

  has(key: string): boolean {
    return this.rowsByKey.has(key);
  }

  keys(): IterableIterator<string> {
    return this.rowsByKey.keys();
  }

  /** Each key found on more than one row, with its rows. */
  *duplicates(): Generator<readonly [string, readonly number[]]> {
    for (const [key, rows] of this.rowsByKey) if (typeof rows !== 'number') yield [key, rows];
  }
}

/** A set of row numbers as a growable bitmap: an eighth of a byte per row. */
export class RowFlags {
  private bits = new Uint8Array(1024);

  add(row: number): void {
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

/** Which rows name each manager, with each such row's own email (the key a failure cascades through). */
export class ManagerReferences {
  private readonly byManager = new Map<string, { rows: number[]; emails: (string | undefined)[] }>();

  add(manager: string, row: number, rowEmail: string | undefined): void {
    let references = this.byManager.get(manager);
    if (references === undefined) {
      references = { rows: [], emails: [] };
      this.byManager.set(manager, references);
    }
    references.rows.push(row);
    references.emails.push(rowEmail);
  }

  has(manager: string): boolean {
    return this.byManager.has(manager);
  }

  managers(): IterableIterator<string> {
    return this.byManager.keys();
  }

  *referencesTo(manager: string): Generator<{ row: number; rowEmail: string | undefined }> {
    const references = this.byManager.get(manager);
    if (references === undefined) return;
    for (let index = 0; index < references.rows.length; index++) {
      const row = references.rows[index];
      if (row !== undefined) yield { row, rowEmail: references.emails[index] };
    }
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
