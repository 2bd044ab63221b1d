import type { Principal } from './use-cases/resolve-principal';

/** Seed 003's session variables, plus the audit context every change records. */
export interface Caller extends Principal {
  readonly tenantId: string;
  readonly currentUserId: string;
  readonly currentRole: string | null;
  readonly authMethod: 'bearer' | 'session';
  readonly audit: AuditContext;
}

export interface AuditContext {
  readonly actor: { readonly userId: string; readonly tenantId: string };
  readonly correlationId: string;
  readonly sourceIp: string;
  readonly userAgent?: string;
}

/** The context of the events a caller's change publishes: their tenant, request and identity. */
export function callerEventContext(caller: Pick<Caller, 'tenantId' | 'audit'>, occurredAt: Date) {
  return {
    tenantId: caller.tenantId,
    correlationId: caller.audit.correlationId,
    actor: { type: 'user' as const, ...caller.audit.actor },
    occurredAt,
  };
}
