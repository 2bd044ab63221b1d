import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, queryAll } from '../../shared/aws/dynamodb';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../shared/errors';
import { type Bundle, bundleSchema } from '../domain/bundle';

const bundleKey = (tenantId: string, bundleId: string) => ({
  PK: `TENANT#${tenantId}#BUNDLES`,
  SK: `BUNDLE#${bundleId}`,
});

/** A tenant's permission bundles: one partition per tenant, a few dozen items at most. */
export class BundleRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(tenantId: string): Promise<Bundle[]> {
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :bundle)',
        ExpressionAttributeValues: { ':pk': bundleKey(tenantId, '').PK, ':bundle': 'BUNDLE#' },
      },
      (item) => bundleSchema.parse(item),
    );
  }

  async get(tenantId: string, bundleId: string): Promise<Bundle | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: bundleKey(tenantId, bundleId), ConsistentRead: true }),
    );
    return result.Item ? bundleSchema.parse(result.Item) : undefined;
  }

  /** Creates the bundle; BUNDLE_EXISTS when its id is taken. */
  async create(bundle: Bundle): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...bundleKey(bundle.tenantId, bundle.bundleId), ...bundle },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw new ConflictError('BUNDLE_EXISTS', `A bundle with the id "${bundle.bundleId}" already exists.`);
    }
  }

  /** Replaces the bundle if it is still at `expectedVersion` (412 otherwise, 404 when it is gone). */
  async replace(bundle: Bundle, expectedVersion: number): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...bundleKey(bundle.tenantId, bundle.bundleId), ...bundle },
          ConditionExpression: 'attribute_exists(PK) AND version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      await this.refuseStale(bundle.tenantId, bundle.bundleId);
    }
  }

  /** Deletes the bundle if it is still at `expectedVersion`. */
  async delete(tenantId: string, bundleId: string, expectedVersion: number): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: bundleKey(tenantId, bundleId),
          ConditionExpression: 'attribute_exists(PK) AND version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      await this.refuseStale(tenantId, bundleId);
    }
  }

  private async refuseStale(tenantId: string, bundleId: string): Promise<never> {
    if (!(await this.get(tenantId, bundleId))) throw missingBundle(bundleId);
    throw new PreconditionFailedError(
      'VERSION_MISMATCH',
      'The bundle was changed by someone else since you read it; read it again and retry.',
    );
  }
}

export function missingBundle(bundleId: string): NotFoundError {
  return new NotFoundError('BUNDLE_NOT_FOUND', `No bundle "${bundleId}" in this tenant.`);
}
