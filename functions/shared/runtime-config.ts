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
