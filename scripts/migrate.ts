// `npm run migrate`: applies pending migrations to the table named by TABLE_NAME with the usual
// AWS credentials, for an operator who needs it outside a deploy (the deploy's custom resource
// runs the same code). Needs TABLE_NAME, OPERATOR_TENANT_ID, OPERATOR_EMAIL and AWS_REGION.
import { applyMigrations } from '../functions/migrations/apply';

const report = await applyMigrations();
console.log(
  `applied: ${report.applied.join(', ') || 'none'}; already applied: ${report.alreadyApplied.length}`,
);
