import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { logger } from '../../shared/observability';
import { applyMigrations } from '../apply';

const PHYSICAL_ID = 'muster-migrations';

/**
 * onEvent handler of the deploy's migrations custom resource (CDK Provider framework). Every
 * Create and Update runs the migrations; Delete keeps the data. Throwing fails the deploy, which
 * is what we want when a migration fails.
 */
export async function handler(event: CloudFormationCustomResourceEvent) {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const report = await applyMigrations();
  logger.info('Migrations applied', {
    applied: report.applied,
    alreadyApplied: report.alreadyApplied.length,
  });
  return { PhysicalResourceId: PHYSICAL_ID, Data: { Applied: report.applied.join(',') } };
}
