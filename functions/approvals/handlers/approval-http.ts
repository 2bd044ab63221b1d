import { z } from 'zod';

/** An approval id as approvalIdFor makes them. */
export const APPROVAL_ID = z.string().regex(/^apr_[0-9a-f]{26}$/, 'must be an approvalId (apr_…)');
