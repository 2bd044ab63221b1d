import { z } from 'zod';
import { requiredName } from './config';

/** Configuration fragments handlers compose into their cold-start schema. */
export const tableConfig = z.object({ TABLE_NAME: requiredName });
export const eventBusConfig = z.object({ EVENT_BUS_NAME: requiredName });
export const oidcConfig = z.object({
  OIDC_ISSUER: z.url(),
  OIDC_JWKS_URL: z.url(),
  OIDC_AUDIENCE: requiredName,
});
export const operatorConfig = z.object({ OPERATOR_TENANT_ID: requiredName, OPERATOR_EMAIL: z.email() });
export const uploadsConfig = z.object({ UPLOADS_BUCKET: requiredName });
export const reportsConfig = z.object({ REPORTS_BUCKET: requiredName });
export const mailConfig = z.object({ MAIL_FROM_ADDRESS: z.email(), ACTIVATION_URL_BASE: z.url() });
export const bulkImportWorkflowConfig = z.object({ BULK_IMPORT_STATE_MACHINE_ARN: requiredName });
