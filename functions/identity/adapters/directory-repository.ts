import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  cancellationReasons,
  isConditionFailure,
  itemOfConditionFailure,
  queryAll,
  retryTransactionConflicts,
} from '../../shared/aws/dynamodb';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../shared/errors';
import { logger } from '../../shared/observability';
import { isPermission } from '../domain/permissions';
import { type RoleDefinition, roleDefinitionProblems } from '../domain/roles';
import type { User } from '../domain/user';
import type { UserPosition } from '../domain/user-listing';
import { userProfileSchema } from '../domain/user-profile';
import { directoryKeys as keys } from './keys';

const stringSet = z
  .instanceof(Set)
  .transform((set) => [...set].filter((value): value is string => typeof value === 'string').sort())
  .optional()
  .transform((values) => values ?? []);

const userItemSchema = userProfileSchema.extend({
  tenantId: z.string(),
  userId: z.string(),
  email: z.string(),
  status: z.enum(['INVITED', 'ACTIVE', 'DEACTIVATED']),
  roles: stringSet,
  groups: stringSet,
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

const groupItemSchema = z.object({ name: z.string(), roles: stringSet });
const pointerItemSchema = z.object({ userId: z.string() });
const roleItemSchema = z.object({
  name: z.string(),
  description: z.string(),
  scope: z.enum(['global', 'workspace']),
  permissions: z.array(z.string()).transform((values) => values.filter(isPermission)),
  rank: z.number(),
});

export interface Group {
  readonly name: string;
  readonly roles: readonly string[];
}

export type UserChanges = Partial<
  Pick<
    User,
    | 'givenName'
    | 'familyName'
    | 'displayName'
    | 'employeeId'
    | 'department'
    | 'jobFamily'
    | 'phone'
    | 'managerEmail'
    | 'locale'
    | 'status'
  >
>;

/** Sets are stored as DynamoDB string sets so adding a role or group is idempotent; empty sets are omitted. */
function toStringSet(values: readonly string[]): Set<string> | undefined {
  return values.length > 0 ? new Set(values) : undefined;
}

/**
 * The tenant directory over the single table: tenants, users, unique emails, subject links,
 * groups and the role catalog. Uniqueness is enforced by DynamoDB transactions, never by
 * read-then-write.
 */
/** Two transaction items a group (its check, the membership) beside the user's own four at most. */
export const MAX_GROUPS_AT_CREATION = 48;

export class DirectoryRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async ensureTenant(tenantId: string, now: string): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.tenant(tenantId), tenantId, createdAt: now },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async getUser(tenantId: string, userId: string): Promise<User | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.user(tenantId, userId), ConsistentRead: true }),
    );
    return result.Item ? userItemSchema.parse(result.Item) : undefined;
  }

  /**
   * Every user of the tenant, in email order (GSI1, all pages): for tenant-wide comparisons such
   * as least-privilege peer checks. Reads the whole listing; paginated listing is for the API.
   */
  async listAllUsers(tenantId: string): Promise<User[]> {
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :users',
        ExpressionAttributeValues: { ':users': keys.usersByEmail(tenantId, '').GSI1PK },
      },
      (item) => userItemSchema.parse(item),
    );
  }

  /**
   * Up to `limit` users of the tenant after `after`, in email order (GSI1): one query, for the
   * paged listing. `more` is DynamoDB's word that the listing may go on.
   */
  async pageOfUsers(
    tenantId: string,
    after: UserPosition | undefined,
    limit: number,
  ): Promise<{ users: User[]; more: boolean }> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :users',
        ExpressionAttributeValues: { ':users': keys.usersByEmail(tenantId, '').GSI1PK },
        Limit: limit,
        // Rebuilt from the caller's tenant, so a position can never reach into another tenant.
        ...(after
          ? {
              ExclusiveStartKey: {
                ...keys.user(tenantId, after.userId),
                ...keys.usersByEmail(tenantId, after.email),
              },
            }
          : {}),
      }),
    );
    const users = (result.Items ?? []).map((item) => userItemSchema.parse(item));
    return { users, more: result.LastEvaluatedKey !== undefined && users.length > 0 };
  }

  async findUserIdByEmail(tenantId: string, email: string): Promise<string | undefined> {
    return this.readPointer(keys.email(tenantId, email));
  }

  async findUserIdBySubject(tenantId: string, issuer: string, subject: string): Promise<string | undefined> {
    return this.readPointer(keys.subject(tenantId, issuer, subject));
  }

  /**
   * Creates a user and claims its email (and employee id, when it has one) in one transaction, so
   * two concurrent creations of the same email can never both succeed. Optionally links an
   * identity-provider subject too. A user created with groups joins them in the same transaction
   * (each group must exist: GROUP_NOT_FOUND otherwise, and nothing is written); at most
   * MAX_GROUPS_AT_CREATION, a transaction's item limit allowing.
   */
  async createUser(user: User, link?: { issuer: string; subject: string }): Promise<void> {
    const claims = [
      {
        kind: 'user',
        item: {
          ...keys.user(user.tenantId, user.userId),
          ...keys.usersByEmail(user.tenantId, user.email),
          ...this.userAttributes(user),
        },
      },
      {
        kind: 'email',
        item: { ...keys.email(user.tenantId, user.email), userId: user.userId, createdAt: user.createdAt },
      },
      ...(user.employeeId
        ? [
            {
              kind: 'employee',
              item: {
                ...keys.employeeId(user.tenantId, user.employeeId),
                userId: user.userId,
                createdAt: user.createdAt,
              },
            },
          ]
        : []),
      ...(link
        ? [
            {
              kind: 'subject',
              item: {
                ...keys.subject(user.tenantId, link.issuer, link.subject),
                userId: user.userId,
                issuer: link.issuer,
                createdAt: user.createdAt,
              },
            },
          ]
        : []),
    ] as const;
    if (user.groups.length > MAX_GROUPS_AT_CREATION) {
      throw new RangeError(
        `A user is created with at most ${MAX_GROUPS_AT_CREATION} groups; add the rest after.`,
      );
    }
    const memberships = user.groups.flatMap((groupName) => [
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: keys.group(user.tenantId, groupName),
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.groupMember(user.tenantId, groupName, user.userId),
            userId: user.userId,
            addedAt: user.createdAt,
          },
        },
      },
    ]);
    try {
      await retryTransactionConflicts(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              ...claims.map(({ item }) => ({
                Put: {
                  TableName: this.tableName,
                  Item: item,
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              })),
              ...memberships,
            ],
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const reasons = cancellationReasons(error);
      const missingGroups = user.groups.filter(
        (_, index) => reasons[claims.length + 2 * index]?.code === 'ConditionalCheckFailed',
      );
      const failed = new Set(
        claims
          .filter((_, index) => reasons[index]?.code === 'ConditionalCheckFailed')
          .map((claim) => claim.kind),
      );
      if (failed.has('email')) {
        throw new ConflictError('EMAIL_TAKEN', 'A user with this email already exists in the tenant.');
      }
      if (failed.has('employee')) {
        throw new ConflictError(
          'EMPLOYEE_ID_TAKEN',
          'A user with this employee id already exists in the tenant.',
        );
      }
      if (failed.has('user')) throw new ConflictError('USER_EXISTS', 'A user with this id already exists.');
      if (failed.has('subject')) {
        throw new ConflictError('SUBJECT_LINKED', 'This identity is already linked to another user.');
      }
      if (missingGroups.length > 0) {
        throw new NotFoundError(
          'GROUP_NOT_FOUND',
          `No group named "${missingGroups.join('", "')}" in this tenant.`,
        );
      }
      throw error;
    }
  }

  /** Which of these claim keys (emails or employee ids) are taken in the tenant, read in batches of 100. */
  async takenClaims(
    tenantId: string,
    kind: 'email' | 'employeeId',
    values: readonly string[],
  ): Promise<Set<string>> {
    const taken = new Set<string>();
    const keyOf = kind === 'email' ? keys.email : keys.employeeId;
    const valueOfKey = new Map(values.map((value) => [keyOf(tenantId, value).PK, value]));
    for (let start = 0; start < values.length; start += 100) {
      let pending: Record<string, unknown>[] | undefined = values
        .slice(start, start + 100)
        .map((value) => keyOf(tenantId, value));
      while (pending && pending.length > 0) {
        const result: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ProjectionExpression: 'PK' } },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const value = valueOfKey.get(z.object({ PK: z.string() }).parse(item).PK);
          if (value !== undefined) taken.add(value);
        }
        pending = result.UnprocessedKeys?.[this.tableName]?.Keys;
        if (pending && pending.length > 0) await sleep(50 * (1 + Math.random()));
      }
    }
    return taken;
  }

  /** Links an identity-provider subject to a user; linking the same pair again is a no-op. */
  async linkSubject(
    tenantId: string,
    issuer: string,
    subject: string,
    userId: string,
    now: string,
  ): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.subject(tenantId, issuer, subject), userId, issuer, createdAt: now },
          ConditionExpression: 'attribute_not_exists(PK) OR userId = :userId',
          ExpressionAttributeValues: { ':userId': userId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw new ConflictError('SUBJECT_LINKED', 'This identity is already linked to another user.');
    }
  }

  /**
   * Applies changes when the stored version is `expectedVersion` and returns the new user.
   * A stale version is a PreconditionFailedError, a missing user a NotFoundError.
   */
  async updateUser(
    tenantId: string,
    userId: string,
    changes: UserChanges,
    expectedVersion: number,
    now: string,
  ): Promise<User> {
    const entries = Object.entries({ ...changes, updatedAt: now }).filter(([, value]) => value !== undefined);
    const names = Object.fromEntries(entries.map(([field], index) => [`#f${index}`, field]));
    const values = Object.fromEntries(entries.map(([, value], index) => [`:v${index}`, value]));
    return this.updateAtVersion(tenantId, userId, expectedVersion, {
      UpdateExpression: `SET ${entries.map((_, index) => `#f${index} = :v${index}`).join(', ')} ADD version :one`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  /**
   * Replaces a user's direct roles when the stored version is `expectedVersion` and returns the
   * new user. A stale version is a PreconditionFailedError, a missing user a NotFoundError.
   */
  async replaceRoles(
    tenantId: string,
    userId: string,
    roles: readonly string[],
    expectedVersion: number,
    now: string,
  ): Promise<User> {
    const roleSet = toStringSet(roles);
    // DynamoDB stores no empty set: no roles at all is the attribute removed.
    const assignment = roleSet ? ', #roles = :roles' : '';
    const removal = roleSet ? '' : ' REMOVE #roles';
    return this.updateAtVersion(tenantId, userId, expectedVersion, {
      UpdateExpression: `SET updatedAt = :now${assignment} ADD version :one${removal}`,
      ExpressionAttributeNames: { '#roles': 'roles' },
      ExpressionAttributeValues: { ':now': now, ...(roleSet ? { ':roles': roleSet } : {}) },
    });
  }

  /**
   * Runs an update of a user (its expression adds `:one` to the version) only at `expectedVersion`,
   * and returns the new user. A stale version is a PreconditionFailedError, a missing user a NotFoundError.
   */
  private async updateAtVersion(
    tenantId: string,
    userId: string,
    expectedVersion: number,
    update: {
      readonly UpdateExpression: string;
      readonly ExpressionAttributeNames: Record<string, string>;
      readonly ExpressionAttributeValues: Record<string, unknown>;
    },
  ): Promise<User> {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.user(tenantId, userId),
          ...update,
          ConditionExpression: 'attribute_exists(PK) AND version = :expected',
          ExpressionAttributeValues: {
            ...update.ExpressionAttributeValues,
            ':one': 1,
            ':expected': expectedVersion,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return userItemSchema.parse(result.Attributes);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (itemOfConditionFailure(error)) {
        throw new PreconditionFailedError(
          'VERSION_MISMATCH',
          `The user changed since version ${expectedVersion}; read it again and retry.`,
        );
      }
      throw new NotFoundError('USER_NOT_FOUND', 'No such user in this tenant.');
    }
  }

  /**
   * Binds roles directly to a user. Binding only roles the user already holds writes nothing, so
   * it neither bumps `version` nor makes a concurrent editor's update fail.
   */
  async addRoles(tenantId: string, userId: string, roles: readonly string[], now: string): Promise<void> {
    const wanted = [...new Set(roles)];
    if (wanted.length === 0) return;
    const missing = wanted.map((_, index) => `NOT contains(#roles, :r${index})`).join(' OR ');
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.user(tenantId, userId),
          UpdateExpression: 'ADD #roles :roles, version :one SET updatedAt = :now',
          ConditionExpression: `attribute_exists(PK) AND (attribute_not_exists(#roles) OR ${missing})`,
          ExpressionAttributeNames: { '#roles': 'roles' },
          ExpressionAttributeValues: {
            ':roles': new Set(wanted),
            ':one': 1,
            ':now': now,
            ...Object.fromEntries(wanted.map((role, index) => [`:r${index}`, role])),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The user exists and already holds every role: nothing to do.
      if (itemOfConditionFailure(error)) return;
      throw new NotFoundError('USER_NOT_FOUND', 'No such user in this tenant.');
    }
  }

  async putGroup(tenantId: string, group: Group, now: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.group(tenantId, group.name),
          ...keys.groupsByTenant(tenantId, group.name),
          tenantId,
          name: group.name,
          roles: toStringSet(group.roles),
          updatedAt: now,
        },
      }),
    );
  }

  /**
   * Adds a user to a group: the member item and the user's `groups` set change together or not at
   * all. Adding a member again writes nothing.
   */
  async addGroupMember(tenantId: string, groupName: string, userId: string, now: string): Promise<void> {
    try {
      await retryTransactionConflicts(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: this.tableName,
                  Key: keys.group(tenantId, groupName),
                  ConditionExpression: 'attribute_exists(PK)',
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...keys.groupMember(tenantId, groupName, userId), userId, addedAt: now },
                },
              },
              {
                Update: {
                  TableName: this.tableName,
                  Key: keys.user(tenantId, userId),
                  UpdateExpression: 'ADD #groups :group, version :one SET updatedAt = :now',
                  ConditionExpression:
                    'attribute_exists(PK) AND (attribute_not_exists(#groups) OR NOT contains(#groups, :name))',
                  ExpressionAttributeNames: { '#groups': 'groups' },
                  ExpressionAttributeValues: {
                    ':group': new Set([groupName]),
                    ':name': groupName,
                    ':one': 1,
                    ':now': now,
                  },
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
            ],
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const [groupReason, , userReason] = cancellationReasons(error);
      if (groupReason?.code === 'ConditionalCheckFailed') {
        throw new NotFoundError('GROUP_NOT_FOUND', `No group named "${groupName}" in this tenant.`);
      }
      // The user exists and is already a member: nothing to do.
      if (userReason?.item) return;
      throw new NotFoundError('USER_NOT_FOUND', 'No such user in this tenant.');
    }
  }

  async getGroups(tenantId: string, groupNames: readonly string[]): Promise<Group[]> {
    const groups: Group[] = [];
    // BatchGetItem takes at most 100 keys a call.
    for (let start = 0; start < groupNames.length; start += 100) {
      let pending: Record<string, unknown>[] | undefined = groupNames
        .slice(start, start + 100)
        .map((name) => keys.group(tenantId, name));
      while (pending && pending.length > 0) {
        const result: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) groups.push(groupItemSchema.parse(item));
        pending = result.UnprocessedKeys?.[this.tableName]?.Keys;
        // Unprocessed keys mean the table is throttling us: back off before asking again.
        if (pending && pending.length > 0) await sleep(50 * (1 + Math.random()));
      }
    }
    return groups;
  }

  /** Every group name of a tenant, in name order. */
  async listGroupNames(tenantId: string): Promise<string[]> {
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.groupsByTenant(tenantId, '').GSI1PK },
        ProjectionExpression: 'GSI1SK',
      },
      (item) => z.object({ GSI1SK: z.string() }).parse(item).GSI1SK,
    );
  }

  async putRoleDefinition(role: RoleDefinition, now: string): Promise<void> {
    const problems = roleDefinitionProblems(role);
    if (problems.length > 0) throw new Error(`Refusing role definition: ${problems.join('; ')}`);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.role(role.name), ...role, updatedAt: now },
      }),
    );
  }

  async listRoleDefinitions(): Promise<RoleDefinition[]> {
    const stored = await queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.roleCatalog().PK },
      },
      (item) => roleItemSchema.parse(item),
    );
    return stored.filter((role) => {
      const problems = roleDefinitionProblems(role);
      // A definition edited by hand into something unsafe grants nothing rather than too much.
      if (problems.length > 0)
        logger.error('Ignoring invalid role definition', { role: role.name, problems });
      return problems.length === 0;
    });
  }

  private async readPointer(key: Record<string, string>): Promise<string | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return result.Item ? pointerItemSchema.parse(result.Item).userId : undefined;
  }

  private userAttributes(user: User): Record<string, unknown> {
    return { ...user, roles: toStringSet(user.roles), groups: toStringSet(user.groups) };
  }
}
