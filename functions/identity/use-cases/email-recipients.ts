import pLimit from 'p-limit';
import { logger } from '../../shared/observability';
import type { DirectoryRepository } from '../adapters/directory-repository';

/** Directory reads in flight at once while recipients are looked up. */
const READS_IN_FLIGHT = 8;

/**
 * The email address of each user who can still be mailed (exists, not deactivated), by user id.
 * A lookup that fails is logged and leaves that user out rather than failing the others: callers
 * send notifications after their work is recorded, when a throw would only lose every email.
 */
export async function emailRecipients(
  directory: Pick<DirectoryRepository, 'getUser'>,
  tenantId: string,
  userIds: Iterable<string>,
): Promise<ReadonlyMap<string, string>> {
  const limit = pLimit(READS_IN_FLIGHT);
  const found = await Promise.all(
    [...new Set(userIds)].map((userId) =>
      limit(async () => {
        try {
          const user = await directory.getUser(tenantId, userId);
          return user && user.status !== 'DEACTIVATED' ? ([userId, user.email] as const) : undefined;
        } catch (error) {
          logger.warn('Email recipient not looked up', {
            user_id: userId,
            error_name: error instanceof Error ? error.name : typeof error,
          });
          return undefined;
        }
      }),
    ),
  );
  return new Map(found.filter((entry) => entry !== undefined));
}
