import { z } from 'zod';
import { PERMISSIONS } from '../../identity/domain/permissions';

/**
 * A permission bundle (seed 001): a named set of roles and permissions a tenant grants together,
 * with a risk level that decides who must approve it, an optional longest grant, and the bundles
 * nobody may hold at the same time (separation of duties).
 */
export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

const RISK_RANK: Readonly<Record<RiskLevel, number>> = { low: 0, medium: 1, high: 2 };

/** Whether `a` is a strictly lower risk than `b`. */
export function isLowerRisk(a: RiskLevel, b: RiskLevel): boolean {
  return RISK_RANK[a] < RISK_RANK[b];
}

/** The higher of two risk levels. */
export function higherRisk(a: RiskLevel, b: RiskLevel): RiskLevel {
  return RISK_RANK[a] >= RISK_RANK[b] ? a : b;
}

/** Bundle ids are names a person can read in a URL: lower case, digits, `_` and `-`. */
export const BUNDLE_ID = /^[a-z0-9][a-z0-9_-]{1,62}$/;

export const bundleDefinitionSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    description: z.string().trim().max(1000).default(''),
    roles: z
      .array(z.string().regex(/^[a-z0-9_]{1,64}$/))
      .max(50)
      .default([]),
    permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length).default([]),
    risk: z.enum(RISK_LEVELS),
    /** The longest grant of this bundle, in days; a grant must end within it. */
    maxDurationDays: z.number().int().min(1).max(3650).optional(),
    incompatibleWith: z.array(z.string().regex(BUNDLE_ID)).max(50).default([]),
  })
  .refine((bundle) => bundle.roles.length + bundle.permissions.length > 0, {
    message: 'A bundle grants at least one role or permission.',
    path: ['roles'],
  });
export type BundleDefinition = z.infer<typeof bundleDefinitionSchema>;

/** A bundle as stored and as the bundle routes answer it; `version` is the ETag a change must match. */
export const bundleSchema = bundleDefinitionSchema.safeExtend({
  tenantId: z.string(),
  bundleId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int().positive(),
});
export type Bundle = z.infer<typeof bundleSchema>;

/** `GET /internal/iam/bundles`: a tenant holds a few dozen bundles at most, so one answer has them all. */
export const bundleListSchema = z.object({
  items: z.array(bundleSchema).describe('Every bundle of the tenant.'),
});
