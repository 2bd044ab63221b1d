import { DirectoryRepository } from '../identity/adapters/directory-repository';
import { createDocumentClient, createDynamoDbClient } from '../shared/aws/dynamodb';
import { loadConfig } from '../shared/config';
import { operatorConfig, tableConfig } from '../shared/runtime-config';
import { MigrationRepository } from './adapters/migration-repository';
import { MIGRATIONS } from './migrations';
import { type MigrationReport, runMigrations } from './runner';

/** Runs the migrations against the configured table: the local stack at start, the deploy's custom resource, `npm run migrate`. */
export async function applyMigrations(env: NodeJS.ProcessEnv = process.env): Promise<MigrationReport> {
  const config = loadConfig(tableConfig.extend(operatorConfig.shape), env);
  const client = createDocumentClient(createDynamoDbClient('background'));
  return runMigrations(MIGRATIONS, {
    repository: new MigrationRepository(client, config.TABLE_NAME),
    context: {
      directory: new DirectoryRepository(client, config.TABLE_NAME),
      operator: { tenantId: config.OPERATOR_TENANT_ID, email: config.OPERATOR_EMAIL },
      now: () => new Date(),
    },
  });
}
