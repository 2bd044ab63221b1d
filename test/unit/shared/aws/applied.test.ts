import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { applied } from '../../../../functions/shared/aws/dynamodb';

const metadata = { $metadata: {} };

describe('applied', () => {
  it('is true when the write went through', async () => {
    await expect(applied(Promise.resolve({}))).resolves.toBe(true);
  });

  it('is false when the condition did not hold, on a single write or in a transaction', async () => {
    const single = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      ...metadata,
    });
    await expect(applied(Promise.reject(single))).resolves.toBe(false);
    const transaction = new TransactionCanceledException({
      message: 'Transaction cancelled',
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      ...metadata,
    });
    await expect(applied(Promise.reject(transaction))).resolves.toBe(false);
  });

  it('throws every other error, a throttled write included', async () => {
    const throttled = new Error('Rate exceeded');
    throttled.name = 'ThrottlingException';
    await expect(applied(Promise.reject(throttled))).rejects.toBe(throttled);
  });
});
