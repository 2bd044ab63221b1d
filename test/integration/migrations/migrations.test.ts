import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { BUILT_IN_ROLES } from '../../../functions/identity/domain/roles';
import { MigrationRepository } from '../../../functions/migrations/adapters/migration-repository';
import type { Migration } from '../../../functions/migrations/migration';
import { MIGRATIONS } from '../../../functions/migrations/migrations';
import { runMigrations } from '../../../functions/migrations/runner';
import { ensureTable } from '../../../local/dynamodb/table';
import { engineClientConfig, uniqueTenant } from '../support/api';

const rawClient = new DynamoDBClient(engineClientConfig('dynamodb'));
const client = DynamoDBDocumentClient.from(rawClient, { marshallOptions: { removeUndefinedValues: true } });
// A table of this file's own, so the runs below start from an unmigrated store.
const tableName = `migrations-${uniqueTenant()}`;
const operator = { tenantId: 'operators', email: 'Ops@Example.test' };

function runner(migrations: readonly Migration[]) {
  return runMigrations(migrations, {
    repository: new MigrationRepository(client, tableName),
    context: { directory: new DirectoryRepository(client, tableName), operator, now: () => new Date() },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50))),
  });
}

/** The real migrations, each counting how often its `up` ran. */
function counted(runs: Map<string, number>): Migration[] {
  return MIGRATIONS.map((migration) => ({
    ...migration,
    up: async (context) => {
      runs.set(migration.id, (runs.get(migration.id) ?? 0) + 1);
      await migration.up(context);
    },
  }));
}

beforeAll(async () => {
  await ensureTable(rawClient, tableName);
});

describe('migrations on DynamoDB Local', () => {
  it('apply each migration exactly once, even with three runners at the same time', async () => {
    const runs = new Map<string, number>();
    const reports = await Promise.all([runner(counted(runs)), runner(counted(runs)), runner(counted(runs))]);
    for (const migration of MIGRATIONS) expect(runs.get(migration.id)).toBe(1);
    const appliedEverywhere = reports.flatMap((report) => report.applied);
    expect(appliedEverywhere.sort()).toEqual(MIGRATIONS.map((migration) => migration.id).sort());
  });

  it('apply nothing on a second run', async () => {
    const runs = new Map<string, number>();
    const report = await runner(counted(runs));
    expect(report.applied).toEqual([]);
    expect(report.alreadyApplied).toEqual(MIGRATIONS.map((migration) => migration.id));
    expect(runs.size).toBe(0);
  });

  it('seed every built-in role, the default operator role among them', async () => {
    const roles = await new DirectoryRepository(client, tableName).listRoleDefinitions();
    expect(roles.map((role) => role.name).sort()).toEqual(BUILT_IN_ROLES.map((role) => role.name).sort());
    expect(roles.find((role) => role.name === 'operator')?.permissions).toContain('users.import');
  });

  it('backfill a superuser linked to the existing operator account, keeping its other roles', async () => {
    const directory = new DirectoryRepository(client, tableName);
    const userId = await directory.findUserIdByEmail(operator.tenantId, 'ops@example.test');
    expect(userId).toBeDefined();
    const user = await directory.getUser(operator.tenantId, userId ?? '');
    expect(user).toMatchObject({ email: 'ops@example.test', status: 'ACTIVE' });
    expect(user?.roles).toEqual(['operator', 'superuser']);
  });

  it('promote an operator account that already existed instead of creating a second one', async () => {
    const otherTable = `migrations-${uniqueTenant()}`;
    await ensureTable(rawClient, otherTable);
    const directory = new DirectoryRepository(client, otherTable);
    await directory.ensureTenant(operator.tenantId, new Date().toISOString());
    await directory.createUser({
      tenantId: operator.tenantId,
      userId: 'u_existing_operator',
      email: 'ops@example.test',
      status: 'ACTIVE',
      roles: ['member'],
      groups: [],
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      version: 3,
    });
    await runMigrations(MIGRATIONS, {
      repository: new MigrationRepository(client, otherTable),
      context: { directory, operator, now: () => new Date() },
    });
    expect(await directory.findUserIdByEmail(operator.tenantId, 'ops@example.test')).toBe(
      'u_existing_operator',
    );
    expect((await directory.getUser(operator.tenantId, 'u_existing_operator'))?.roles).toEqual([
      'member',
      'operator',
      'superuser',
    ]);
  });
});
