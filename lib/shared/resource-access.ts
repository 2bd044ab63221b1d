import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ResourceAccess } from '../../config/routes';
import { acknowledgeKmsDataKeyActions, acknowledgeTableIndexGrant } from './nag';

/** What a function may be granted access to; config/ names the access, this turns it into IAM. */
export interface SharedResources {
  readonly table: ITable;
  readonly bus: IEventBus;
}

/** Grants exactly the listed access and nothing else. */
export function grantResourceAccess(
  fn: IFunction,
  access: readonly ResourceAccess[],
  resources: SharedResources,
): void {
  for (const item of new Set(access)) {
    switch (item) {
      case 'table:read':
        grantTableData(fn, resources.table, 'read');
        break;
      case 'table:write':
        grantTableData(fn, resources.table, 'write');
        break;
      case 'bus:publish':
        resources.bus.grantPutEventsTo(fn);
        break;
      default:
        throw new Error(`Unknown resource access: ${item satisfies never}`);
    }
  }
}

/** Item-level table access, acknowledging the scoped wildcards (indexes, KMS data keys) it implies. */
export function grantTableData(fn: IFunction, table: ITable, mode: 'read' | 'write' | 'read-write'): void {
  if (mode === 'read') table.grantReadData(fn);
  else if (mode === 'write') table.grantWriteData(fn);
  else table.grantReadWriteData(fn);
  acknowledgeTableIndexGrant(fn, table);
  if (table.encryptionKey !== undefined) acknowledgeKmsDataKeyActions(fn);
}
