import type { ManagerProblem, RowsByKey } from './cross-row-index';
import type { EmailDomainTally } from './email-suggestions';
import { type ImportIssue, issue } from './issues';

/** More rows than this are summarised ("and 12 more") in a message. */
const MAX_LISTED_ROWS = 5;

/** "row 7", "rows 3 and 9", "rows 3, 9, 12, 15, 20 and 4 more". */
export function describeRows(rows: readonly number[]): string {
  if (rows.length === 1) return `row ${rows[0]}`;
  const listed = rows.slice(0, MAX_LISTED_ROWS);
  const more = rows.length - listed.length;
  const last = more > 0 ? `${more} more` : String(listed.pop());
  return `rows ${listed.join(', ')} and ${last}`;
}

export interface CrossRowContext {
  readonly fileEmails: RowsByKey;
  readonly fileEmployeeIds: RowsByKey;
  readonly existingEmails: ReadonlySet<string>;
  readonly existingEmployeeIds: ReadonlySet<string>;
  readonly managerProblems: ReadonlyMap<number, ManagerProblem>;
  readonly domains: EmailDomainTally;
}

type Keys = { readonly row: number; readonly email?: string; readonly employeeId?: string };

function duplicateIssue(
  row: number,
  column: 'email' | 'employee_id',
  value: string,
  rows: readonly number[] | undefined,
): ImportIssue | undefined {
  if (rows === undefined) return undefined;
  const others = rows.filter((other) => other !== row);
  if (others.length === 0) return undefined;
  const label = column === 'email' ? 'Email' : 'Employee id';
  return issue({
    row,
    column,
    code: 'DUPLICATE_IN_FILE',
    message: `${label} ${value} is a duplicate of ${describeRows(others)}.`,
    suggestion: `Remove this row or merge it with ${describeRows(others)}; only one row per ${column === 'email' ? 'person' : 'employee id'} can be imported.`,
  });
}

function managerIssue(row: number, problem: ManagerProblem, context: CrossRowContext): ImportIssue {
  const { manager } = problem;
  const base = { row, column: 'manager_email', code: 'MANAGER_NOT_FOUND' } as const;
  switch (problem.kind) {
    case 'not-found': {
      const meant = context.domains.suggest(manager);
      const corrected =
        meant === undefined ? undefined : `${manager.slice(0, manager.lastIndexOf('@'))}@${meant.domain}`;
      const correctedRows = corrected === undefined ? [] : context.fileEmails.rowsOf(corrected);
      return issue({
        ...base,
        message: `Manager ${manager} is neither a user of this tenant nor in this file.`,
        suggestion:
          corrected !== undefined && correctedRows.length > 0
            ? `Did you mean ${corrected} (${describeRows(correctedRows)})?`
            : `Correct the address, add a row for ${manager}, or leave manager_email empty.`,
      });
    }
    case 'duplicated':
      return issue({
        ...base,
        message: `Manager ${manager} is in ${describeRows(problem.rows)}, which are duplicates, so that user will not be created.`,
        suggestion: `Keep a single row for ${manager}.`,
      });
    case 'row-not-created':
      return issue({
        ...base,
        message: `Manager ${manager} (row ${problem.row}) will not be created, because row ${problem.row} has errors.`,
        suggestion: `Fix row ${problem.row}, or use the email of a manager who already has an account.`,
      });
  }
}

/** The issues a row has because of other rows or of the tenant's directory. */
export function crossRowIssues({ row, email, employeeId }: Keys, context: CrossRowContext): ImportIssue[] {
  const issues: ImportIssue[] = [];
  const add = (found: ImportIssue | undefined) => {
    if (found !== undefined) issues.push(found);
  };
  if (email !== undefined) {
    add(duplicateIssue(row, 'email', email, context.fileEmails.repeatsOf(email)));
    if (context.existingEmails.has(email)) {
      add(
        issue({
          row,
          column: 'email',
          code: 'ALREADY_EXISTS',
          message: `${email} already belongs to a user of this tenant.`,
          suggestion:
            'Remove this row; change the existing user in the admin console (PATCH /v1/admin/users/:userId) instead.',
        }),
      );
    } else {
      const meant = context.domains.suggest(email);
      if (meant !== undefined) {
        const local = email.slice(0, email.lastIndexOf('@'));
        add(
          issue({
            row,
            column: 'email',
            code: 'EMAIL_DOMAIN_TYPO',
            message:
              meant.basis === 'file'
                ? `The domain of ${email} looks like a typo: ${meant.rows} rows of this file use ${meant.domain}.`
                : `The domain of ${email} looks like a typo of ${meant.domain}.`,
            suggestion: `Did you mean ${local}@${meant.domain}? If the address is right as written, ignore this warning.`,
          }),
        );
      }
    }
  }
  if (employeeId !== undefined) {
    add(duplicateIssue(row, 'employee_id', employeeId, context.fileEmployeeIds.repeatsOf(employeeId)));
    if (context.existingEmployeeIds.has(employeeId)) {
      add(
        issue({
          row,
          column: 'employee_id',
          code: 'ALREADY_EXISTS',
          message: `Employee id ${employeeId} already belongs to a user of this tenant.`,
          suggestion: 'Remove this row if the person already has an account, or correct the employee id.',
        }),
      );
    }
  }
  const managerProblem = context.managerProblems.get(row);
  if (managerProblem !== undefined) add(managerIssue(row, managerProblem, context));
  return issues;
}
