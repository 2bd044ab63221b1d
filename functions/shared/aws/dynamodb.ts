import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A DynamoDB document client. The endpoint comes from the SDK's own configuration
 * (`AWS_ENDPOINT_URL_DYNAMODB` locally), so callers never know where the table lives.
 * Create one per module and pass it to the repositories.
 */
export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

/** True when a DynamoDB error is a failed condition, on a single write or any item of a transaction. */
export function isConditionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ConditionalCheckFailedException') return true;
  return (
    error.name === 'TransactionCanceledException' &&
    cancellationCodes(error).includes('ConditionalCheckFailed')
  );
}

/** The per-item cancellation codes of a cancelled transaction, in the order of its items. */
export function cancellationCodes(error: Error): string[] {
  if (!('CancellationReasons' in error) || !Array.isArray(error.CancellationReasons)) return [];
  return error.CancellationReasons.map((reason: unknown) =>
    typeof reason === 'object' && reason !== null && 'Code' in reason && typeof reason.Code === 'string'
      ? reason.Code
      : 'None',
  );
}
