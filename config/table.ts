/**
 * The single DynamoDB table's key schema, read by the CDK storage construct and by the local
 * stack when it creates the table in DynamoDB Local, so both have the same indexes.
 * Access patterns and item layouts are in docs/data-model.md.
 */
export interface TableIndex {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export const TABLE_SCHEMA = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Items with this epoch-seconds attribute are removed by DynamoDB TTL (locks, short-lived tokens). */
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
    // Sparse: only items with something due at a time (functions/shared/aws/due-index.ts).
    { indexName: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK' },
  ] satisfies readonly TableIndex[],
} as const;
