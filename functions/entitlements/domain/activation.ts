import type { BundleOutcome } from './assignment-task';
import { type Entitlement, isInForce } from './entitlement';

/** What activation does with one planned grant, given the entitlement already at its key, if any. */
export type ActivationStep =
  | { readonly action: 'write' }
  | { readonly action: 'merge'; readonly reason: string }
  | { readonly action: 'fail'; readonly reason: string };

/**
 * One item per (user, scope, bundle): a grant already in force from elsewhere (another assignment,
 * the import) is merged, not rewritten, so its window and chain stay as they are. Our own item
 * (pending, or active from an earlier attempt) is written again, which makes a retry harmless; so
 * is anything that grants nothing now (expired, revoked, rejected, pending elsewhere).
 */
export function activationStep(
  assignmentId: string,
  existing: Entitlement | undefined,
  member: { readonly status?: string } | undefined,
  now: Date,
): ActivationStep {
  if (member === undefined) return { action: 'fail', reason: 'The user no longer exists.' };
  if (member.status === 'DEACTIVATED') {
    return { action: 'fail', reason: 'The user was deactivated before the grant could be activated.' };
  }
  if (!existing) return { action: 'write' };
  const ours = existing.source.type === 'batch_assign' && existing.source.assignmentId === assignmentId;
  if (!ours && isInForce(existing, now)) {
    return {
      action: 'merge',
      reason: `Already held in this scope (entitlement ${existing.entitlementId}); not granted again.`,
    };
  }
  return { action: 'write' };
}

/** A bundle outcome after activation. */
export function activatedOutcome(
  planned: BundleOutcome,
  step: ActivationStep,
  entitlementId: string,
): BundleOutcome {
  if (step.action === 'write') return { bundleId: planned.bundleId, outcome: 'granted', entitlementId };
  return {
    bundleId: planned.bundleId,
    outcome: step.action === 'merge' ? 'merged' : 'failed',
    reason: step.reason,
  };
}
