import { ulid } from 'ulid';
import { z } from 'zod';
import { type DomainEvent, domainEventDetailSchema, type EventActor } from './domain-event';

const grantSourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('batch_assign'), assignmentId: z.string() }),
  z.object({ type: z.literal('bulk_import'), taskId: z.string(), row: z.number().int() }),
  z.object({ type: z.literal('direct') }),
]);

/**
 * What every `iam.permission.*` event says about one grant: a permission bundle in a scope (an
 * entitlement), or a directory role (an import's sensitive role). `targetId` is `user:<userId>`.
 */
const permissionEventData = z.object({
  targetId: z.string(),
  userId: z.string(),
  grant: z.discriminatedUnion('type', [
    z.object({
      type: z.literal('bundle'),
      entitlementId: z.string(),
      bundleId: z.string(),
      scope: z.string(),
      risk: z.enum(['low', 'medium', 'high']),
    }),
    z.object({ type: z.literal('role'), role: z.string() }),
  ]),
  source: grantSourceSchema,
  approvalChain: z.array(
    z.object({
      approvalId: z.string(),
      decision: z.enum(['APPROVED', 'REJECTED', 'EXPIRED']),
      decidedBy: z.string().optional(),
      decidedAt: z.string(),
      justification: z.string().optional(),
    }),
  ),
  validFrom: z.string().optional(),
  validUntil: z.string().optional(),
});

/** What every `iam.approval.*` event says about the approval. `targetId` is `approval:<approvalId>`. */
const approvalEventData = z.object({
  targetId: z.string(),
  approvalId: z.string(),
  subject: z.discriminatedUnion('type', [
    z.object({ type: z.literal('batch_assign'), assignmentId: z.string() }),
    z.object({ type: z.literal('bulk_import'), taskId: z.string(), run: z.number().int() }),
  ]),
  risk: z.enum(['low', 'medium', 'high']),
  approverRole: z.string(),
  requestedBy: z.string(),
  grants: z.number().int(),
});

/**
 * Every event type Muster publishes, with the schema of its `data` and its current version.
 * `events/*.schema.json` is generated from here (`npm run events:schemas`) and a test fails
 * when the two drift apart.
 */
export const EVENT_CATALOG = {
  'iam.user.profile_updated': {
    version: 1,
    description:
      "A user's profile changed, by the user or an administrator (the actor says who). Names the changed fields, never their values.",
    data: z.object({
      userId: z.string(),
      changedFields: z.array(z.string()),
      version: z.number().int(),
    }),
  },
  'iam.user.roles_changed': {
    version: 1,
    description: "An administrator replaced a user's direct roles (group roles are not included).",
    data: z.object({
      userId: z.string(),
      before: z.array(z.string()),
      after: z.array(z.string()),
      version: z.number().int(),
    }),
  },
  'iam.user.created': {
    version: 1,
    description:
      'A user was created. `source` says how: a bulk import (task and spreadsheet row), an administrator through the admin API, or OIDC auto-provisioning on the first sign-in of an identity unknown to the directory (its issuer).',
    data: z.object({
      userId: z.string(),
      status: z.enum(['INVITED', 'ACTIVE']),
      roles: z.array(z.string()),
      rolesPendingApproval: z.array(z.string()),
      source: z.discriminatedUnion('type', [
        z.object({ type: z.literal('bulk_import'), taskId: z.string(), row: z.number().int() }),
        z.object({ type: z.literal('admin_api') }),
        z.object({ type: z.literal('oidc'), issuer: z.string() }),
      ]),
    }),
  },
  'iam.user.deactivated': {
    version: 1,
    description:
      'An administrator deactivated a user: from then on the user has no access, whatever roles they still hold.',
    data: z.object({
      userId: z.string(),
      previousStatus: z.enum(['INVITED', 'ACTIVE']),
      version: z.number().int(),
    }),
  },
  'iam.user.reactivated': {
    version: 1,
    description:
      'An administrator reactivated a deactivated user: their roles and groups grant access again.',
    data: z.object({ userId: z.string(), version: z.number().int() }),
  },
  'iam.user.bulk_imported': {
    version: 1,
    description:
      'A bulk import run finished (seed 000), after the approval of its sensitive role grants if it waited for one. Carries the counts; never personal data.',
    data: z.object({
      taskId: z.string(),
      run: z.number().int(),
      status: z.enum(['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']),
      counts: z.object({
        total: z.number().int(),
        valid: z.number().int(),
        invalid: z.number().int(),
        succeeded: z.number().int(),
        failed: z.number().int(),
        pendingApproval: z.number().int(),
        notified: z.number().int(),
        /** Sensitive role grants of the import an approval settled (absent before approvals). */
        grantsApproved: z.number().int().optional(),
        grantsRejected: z.number().int().optional(),
      }),
      durationSeconds: z.number(),
    }),
  },
  'iam.bundle.changed': {
    version: 1,
    description:
      'A permission bundle was created, replaced or deleted (seed 001). `targetId` is `bundle:<bundleId>` for the audit trail.',
    data: z.object({
      targetId: z.string(),
      bundleId: z.string(),
      change: z.enum(['created', 'replaced', 'deleted']),
      version: z.number().int(),
      risk: z.enum(['low', 'medium', 'high']),
      roles: z.array(z.string()),
      permissions: z.array(z.string()),
    }),
  },
  'iam.permission.pending_approval': {
    version: 1,
    description:
      'A grant waits for an approval (seed 001): nothing it gives is in force until the approval succeeds.',
    data: permissionEventData.extend({ approvalId: z.string().optional() }),
  },
  'iam.permission.granted': {
    version: 1,
    description:
      'A grant is in force from `validFrom` (seed 001): with its source, approval chain, and expiry if any.',
    data: permissionEventData,
  },
  'iam.permission.rejected': {
    version: 1,
    description:
      'A grant that waited for approval was rejected, or its approval expired; the justification is in the chain.',
    data: permissionEventData.extend({ reason: z.enum(['rejected', 'approval_expired']) }),
  },
  'iam.permission.expiring': {
    version: 1,
    description:
      'A grant ends at `validUntil` (seed 001): a reminder to renew or let it lapse, sent a configured time before.',
    data: permissionEventData.extend({ validUntil: z.string(), remindedBeforeHours: z.number().int() }),
  },
  'iam.permission.revoked': {
    version: 1,
    description: 'A grant stopped being in force: it reached `validUntil` (`expired`) or was revoked.',
    data: permissionEventData.extend({ reason: z.enum(['expired', 'revoked']) }),
  },
  'iam.approval.requested': {
    version: 1,
    description:
      "An approval was started for a subject (a batch assignment, or an import's sensitive grants).",
    data: approvalEventData,
  },
  'iam.approval.escalated': {
    version: 1,
    description:
      'An approval has waited past its SLA: the approvers were reminded and the security team alerted.',
    data: approvalEventData.extend({ waitingMinutes: z.number().int() }),
  },
  'iam.approval.decided': {
    version: 1,
    description:
      'An approval was decided (APPROVED, REJECTED) or expired unanswered (EXPIRED); the justification is kept.',
    data: approvalEventData.extend({
      decision: z.enum(['APPROVED', 'REJECTED', 'EXPIRED']),
      decidedBy: z.string().optional(),
      justification: z.string().optional(),
      durationSeconds: z.number(),
    }),
  },
} as const;

export type EventType = keyof typeof EVENT_CATALOG;

/** The JSON Schema of an event's full detail: the envelope with this type's data. */
export function eventDetailJsonSchema(type: EventType): Record<string, unknown> {
  const entry = EVENT_CATALOG[type];
  return {
    $id: `https://muster.dev/events/${type}.schema.json`,
    title: type,
    description: entry.description,
    ...z.toJSONSchema(
      domainEventDetailSchema.extend({ eventVersion: z.literal(entry.version), data: entry.data }),
    ),
  };
}

export type EventData<TType extends EventType> = z.infer<(typeof EVENT_CATALOG)[TType]['data']>;

/** Builds an event of a catalogued type: the compiler holds `data` to the type's schema, the catalog sets the version. */
export function domainEvent<TType extends EventType>(
  type: TType,
  context: { tenantId: string; correlationId: string; actor: EventActor; occurredAt: Date },
  data: EventData<TType>,
  /**
   * For an event a retry may publish again (a redriven batch), a stable id derived from what it
   * is about, so consumers see one event, not two.
   */
  eventId = `evt_${ulid().toLowerCase()}`,
): DomainEvent {
  return {
    detailType: type,
    detail: {
      eventId,
      eventVersion: EVENT_CATALOG[type].version,
      occurredAt: context.occurredAt.toISOString(),
      tenantId: context.tenantId,
      correlationId: context.correlationId,
      actor: context.actor,
      data,
    },
  };
}
