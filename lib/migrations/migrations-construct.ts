import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from '../config/environments';
import { createMusterFunction } from '../shared/muster-function';
import { acknowledge, acknowledgeFrameworkLambda, functionVersionsFinding } from '../shared/nag';
import { fromRepositoryRoot } from '../shared/repository';
import { grantTableData } from '../shared/resource-access';

export const MIGRATION_HANDLER = {
  entry: 'functions/migrations/handlers/custom-resource.ts',
  export: 'handler',
};
export const MIGRATIONS_DIRECTORY = 'functions/migrations/migrations';

export interface MigrationsConstructProps {
  readonly settings: EnvironmentSettings;
  readonly table: ITable;
  /** Folder of migration files, relative to the repository root. */
  readonly migrationsDirectory?: string;
}

/**
 * Runs the versioned, idempotent migration runner as a CloudFormation custom resource: on create, and
 * on every deploy whose migration set differs from the last one (the set's hash is a resource property).
 */
export class MigrationsConstruct extends Construct {
  readonly onEventFunction: NodejsFunction;
  readonly migrationSetHash: string;

  constructor(scope: Construct, id: string, props: MigrationsConstructProps) {
    super(scope, id);
    const { settings, table } = props;

    this.onEventFunction = createMusterFunction(this, 'OnEvent', {
      settings,
      entry: MIGRATION_HANDLER.entry,
      handlerExport: MIGRATION_HANDLER.export,
      description: 'Runs pending table migrations during deployment',
      timeout: Duration.minutes(10),
      memorySize: 1024,
      environment: {
        TABLE_NAME: table.tableName,
        OPERATOR_TENANT_ID: settings.operator.tenantId,
        OPERATOR_EMAIL: settings.operator.email,
      },
    });
    grantTableData(this.onEventFunction, table, 'read-write');

    const provider = new Provider(this, 'Provider', {
      onEventHandler: this.onEventFunction,
      logGroup: new LogGroup(this, 'ProviderLogGroup', {
        retention: settings.logRetention,
        removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      }),
    });
    acknowledgeFrameworkLambda(provider, 'it only relays CloudFormation events to the migrations function.');
    acknowledge(
      provider,
      functionVersionsFinding(this.onEventFunction),
      'The provider framework may invoke any version of the migrations function, and only that function.',
    );

    this.migrationSetHash = hashMigrationSet(props.migrationsDirectory ?? MIGRATIONS_DIRECTORY);
    new CustomResource(this, 'Run', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::MusterMigrations',
      properties: { MigrationSetHash: this.migrationSetHash },
    });
  }
}

/** SHA-256 over the path and content of every file in the folder; an absent folder is the empty set. */
export function hashMigrationSet(directory: string): string {
  const root = fromRepositoryRoot(directory);
  const hash = createHash('sha256');
  if (existsSync(root)) {
    const files = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
      .sort();
    for (const file of files) {
      hash
        .update(file)
        .update('\0')
        .update(readFileSync(join(root, file)))
        .update('\0');
    }
  }
  return hash.digest('hex');
}
