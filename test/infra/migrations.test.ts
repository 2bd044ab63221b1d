import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import {
  hashMigrationSet,
  MIGRATION_HANDLER,
  MIGRATIONS_DIRECTORY,
  MigrationsConstruct,
} from '../../lib/migrations/migrations-construct';
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
  it('runs the migration handler through a custom resource keyed by the migration set', () => {
    template.hasResourceProperties('Custom::MusterMigrations', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProviderframeworkonEvent'), 'Arn'] },
      MigrationSetHash: hashMigrationSet(MIGRATIONS_DIRECTORY),
    });
    expect(migrations.migrationSetHash).toMatch(/^[0-9a-f]{64}$/);
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

describe('hashMigrationSet', () => {
  const directory = mkdtempSync(join(tmpdir(), 'muster-migrations-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('hashes nothing when the folder is absent', () => {
    expect(hashMigrationSet(join(directory, 'absent'))).toBe(createHash('sha256').digest('hex'));
  });

  it('changes when a migration is added or edited, and not otherwise', () => {
    writeFileSync(join(directory, '0001-first.ts'), 'export const first = 1;');
    const one = hashMigrationSet(directory);
    expect(hashMigrationSet(directory)).toBe(one);

    mkdirSync(join(directory, 'nested'), { recursive: true });
    writeFileSync(join(directory, 'nested', '0002-second.ts'), 'export const second = 2;');
    const two = hashMigrationSet(directory);
    expect(two).not.toBe(one);

    writeFileSync(join(directory, '0001-first.ts'), 'export const first = 10;');
    expect(hashMigrationSet(directory)).not.toBe(two);
  });
});
