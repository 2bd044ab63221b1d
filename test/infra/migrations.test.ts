import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as Roles from '../../functions/identity/domain/roles';
import { migrationSetFingerprint } from '../../functions/migrations/fingerprint';
import { MIGRATION_HANDLER, MigrationsConstruct } from '../../lib/migrations/migrations-construct';
import { StorageConstruct } from '../../lib/storage/storage-construct';
import { allowedActions, createTestStack, environmentOf, logicalIdOf, settingsFor } from './support';

const settings = settingsFor('dev', {
  'muster:operatorTenantId': 'acme',
  'muster:operatorEmail': 'ops@acme.example',
});
const stack = createTestStack();
const { table } = new StorageConstruct(stack, 'Storage', { settings });
const migrations = new MigrationsConstruct(stack, 'Migrations', { settings, table });
const template = Template.fromStack(stack);

describe('MigrationsConstruct', () => {
  it('runs the migration handler through a custom resource keyed by the migration set fingerprint', () => {
    template.hasResourceProperties('Custom::MusterMigrations', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProviderframeworkonEvent'), 'Arn'] },
      MigrationSetFingerprint: migrationSetFingerprint(),
    });
    expect(migrations.migrationSetFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(template.toJSON().Resources[logicalIdOf(migrations.onEventFunction)].Properties.Handler).toBe(
      `index.${MIGRATION_HANDLER.export}`,
    );
  });

  it('tells the handler the table and the operator to seed', () => {
    expect(environmentOf(template, migrations.onEventFunction)).toMatchObject({
      TABLE_NAME: { Ref: logicalIdOf(table) },
      OPERATOR_TENANT_ID: 'acme',
      OPERATOR_EMAIL: 'ops@acme.example',
    });
  });

  it('lets the handler read and write the table', () => {
    expect(allowedActions(template, migrations.onEventFunction)).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]),
    );
  });

  it('gives the handler time for a long migration', () => {
    expect(template.toJSON().Resources[logicalIdOf(migrations.onEventFunction)].Properties.Timeout).toBe(600);
  });
});

describe('the migration set fingerprint on deploy', () => {
  afterEach(() => {
    vi.doUnmock('../../functions/identity/domain/roles');
    vi.resetModules();
  });

  /** The custom resource property of a fresh synth, with the modules (and any mocks) loaded anew. */
  async function synthesizedFingerprint(): Promise<unknown> {
    vi.resetModules();
    const { MigrationsConstruct: Fresh } = await import('../../lib/migrations/migrations-construct');
    const { StorageConstruct: FreshStorage } = await import('../../lib/storage/storage-construct');
    const freshStack = createTestStack();
    const storage = new FreshStorage(freshStack, 'Storage', { settings });
    new Fresh(freshStack, 'Migrations', { settings, table: storage.table });
    const [resource] = Object.values(
      Template.fromStack(freshStack).findResources('Custom::MusterMigrations'),
    );
    return resource?.Properties.MigrationSetFingerprint;
  }

  it('changes when the roles migration 0001 seeds change, though no migration file does', async () => {
    const before = await synthesizedFingerprint();
    vi.doMock('../../functions/identity/domain/roles', async (importOriginal) => {
      const actual = await importOriginal<typeof Roles>();
      const [first, ...rest] = actual.BUILT_IN_ROLES;
      if (first === undefined) throw new Error('no built-in roles');
      return {
        ...actual,
        BUILT_IN_ROLES: [{ ...first, description: `${first.description} (edited)` }, ...rest],
      };
    });
    const after = await synthesizedFingerprint();
    expect(before).toBe(migrationSetFingerprint());
    expect(after).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toBe(before);
  });
});
