import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EntitlementGrants } from '../../identity/use-cases/resolve-principal';
import { BundleRepository } from '../adapters/bundle-repository';
import { EntitlementRepository } from '../adapters/entitlement-repository';
import { entitlementGrants } from '../use-cases/grants-in-force';

/** What every API handler's principal resolution needs to count entitlements: wired on the table. */
export function grantsOnTable(documents: DynamoDBDocumentClient, tableName: string): EntitlementGrants {
  return entitlementGrants({
    entitlements: new EntitlementRepository(documents, tableName),
    bundles: new BundleRepository(documents, tableName),
  });
}
