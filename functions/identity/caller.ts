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
