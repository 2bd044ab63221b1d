import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { migrationSetFingerprint } from '../../functions/migrations/fingerprint';
import type { EnvironmentSettings } from '../config/environments';
import { createMusterFunction } from '../shared/muster-function';
import { acknowledge, acknowledgeFrameworkLambda, functionVersionsFinding } from '../shared/nag';
import { grantTableData } from '../shared/resource-access';

export const MIGRATION_HANDLER = {
  entry: 'functions/migrations/handlers/custom-resource.ts',
  export: 'handler',
};

export interface MigrationsConstructProps {
  readonly settings: EnvironmentSettings;
  readonly table: ITable;
}

/**
 * Runs the versioned, idempotent migration runner as a CloudFormation custom resource: on create, and
 * on every deploy whose migration set would do something new. The set's fingerprint
 * (`migrationSetFingerprint()`: each migration's id and, for a repeatable one, its checksum over what it
 * writes) is a resource property, so CloudFormation updates the resource, and the runner runs, exactly
 * then. Hashing the migration files instead would miss their inputs (0001 seeds the roles of
 * functions/identity/domain/roles.ts).
 */
export class MigrationsConstruct extends Construct {
  readonly onEventFunction: NodejsFunction;
  readonly migrationSetFingerprint: string;

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

    this.migrationSetFingerprint = migrationSetFingerprint();
    new CustomResource(this, 'Run', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::MusterMigrations',
      properties: { MigrationSetFingerprint: this.migrationSetFingerprint },
    });
  }
}
