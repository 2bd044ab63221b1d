import type { DirectoryRepository } from '../../identity/adapters/directory-repository';
import type { ImportTask, ImportTaskRepository } from '../adapters/import-task-repository';
import {
  decodeImportCursor,
  encodeImportCursor,
  type ImportFilter,
  type ImportPosition,
  type ListedImport,
  listedImportOf,
  matchesImportFilter,
  operatorIdOf,
  positionOf,
} from '../domain/import-listing';

export interface ListImportsDeps {
  readonly tasks: Pick<ImportTaskRepository, 'pageOfTasks'>;
  readonly directory: Pick<DirectoryRepository, 'getUser'>;
}

export const MAX_IMPORTS_PAGE = 100;
/**
 * How many tasks one request reads at most while looking for a status: a rare status in a busy
 * tenant answers a short (even empty) page with a nextToken instead of reading every import.
 */
export const MAX_IMPORTS_EXAMINED = 1000;

/**
 * `GET /internal/iam/users/bulk-import`: a page of the tenant's imports, newest first. The status
 * filter applies while paging, so a page may hold fewer than `limit`; the token is the last task
 * read, so following it walks every match once.
 */
export async function listImports(
  deps: ListImportsDeps,
  tenantId: string,
  query: { limit: number; nextToken?: string; filter: ImportFilter },
): Promise<{ items: ListedImport[]; nextToken?: string }> {
  let after = query.nextToken !== undefined ? decodeImportCursor(tenantId, query.nextToken) : undefined;
  const readSize = query.filter.status === undefined ? query.limit : MAX_IMPORTS_PAGE;
  const found: ImportTask[] = [];
  let examined = 0;
  for (;;) {
    const page = await deps.tasks.pageOfTasks(tenantId, after, readSize);
    for (const [index, task] of page.tasks.entries()) {
      examined += 1;
      after = positionOf(task);
      if (!matchesImportFilter(task, query.filter)) continue;
      found.push(task);
      if (found.length === query.limit) {
        // The rest of this page is at hand: with no later page and no match left in it, the listing
        // ends here, and a token would only lead to an empty page.
        const matchLeft = page.tasks
          .slice(index + 1)
          .some((later) => matchesImportFilter(later, query.filter));
        return listing(deps, tenantId, found, page.more || matchLeft ? after : undefined);
      }
    }
    if (!page.more) return listing(deps, tenantId, found, undefined);
    if (examined >= MAX_IMPORTS_EXAMINED) return listing(deps, tenantId, found, after);
  }
}

async function listing(
  deps: ListImportsDeps,
  tenantId: string,
  tasks: readonly ImportTask[],
  next: ImportPosition | undefined,
) {
  const emails = await operatorEmails(deps, tenantId, tasks);
  return {
    items: tasks.map((task) => listedImportOf(task, emails.get(operatorIdOf(task)))),
    ...(next ? { nextToken: encodeImportCursor(tenantId, next) } : {}),
  };
}

/** A page's operators are few (the tenant's admins): each is read once. */
async function operatorEmails(
  deps: ListImportsDeps,
  tenantId: string,
  tasks: readonly ImportTask[],
): Promise<Map<string, string>> {
  const operatorIds = [...new Set(tasks.map(operatorIdOf))];
  const users = await Promise.all(operatorIds.map((userId) => deps.directory.getUser(tenantId, userId)));
  return new Map(users.flatMap((user) => (user ? [[user.userId, user.email] as const] : [])));
}
