import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from './nag';

/**
 * The dead-letter queue of an asynchronous target (event rule, S3 notification, schedule):
 * encrypted, TLS-only, kept 14 days. `keeps` says what lands in it, for cdk-nag's record of why a
 * dead-letter queue has no dead-letter queue of its own.
 */
export function createDeadLetterQueue(scope: Construct, id: string, keeps: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledge(queue, 'AwsSolutions-SQS3', `This queue is itself a dead-letter queue: it keeps ${keeps}.`);
  return queue;
}
