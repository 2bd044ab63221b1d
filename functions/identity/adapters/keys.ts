import { createHash } from 'node:crypto';

/**
 * Key layout of the directory in the single table. Each entity gets its own partition so a large
 * tenant's writes spread across partitions; GSI1 lists a tenant's users ordered by email.
 * See docs/data-model.md.
 */
export const directoryKeys = {
  tenant: (tenantId: string) => ({ PK: `TENANT#${tenantId}`, SK: 'TENANT' }),
  user: (tenantId: string, userId: string) => ({ PK: `TENANT#${tenantId}#USER#${userId}`, SK: 'USER' }),
  usersByEmail: (tenantId: string, email: string) => ({ GSI1PK: `TENANT#${tenantId}#USERS`, GSI1SK: email }),
  email: (tenantId: string, email: string) => ({ PK: `TENANT#${tenantId}#EMAIL#${email}`, SK: 'EMAIL' }),
  employeeId: (tenantId: string, employeeId: string) => ({
    PK: `TENANT#${tenantId}#EMPLOYEE#${employeeId}`,
    SK: 'EMPLOYEE',
  }),
  subject: (tenantId: string, issuer: string, subject: string) => ({
    PK: `TENANT#${tenantId}#SUBJECT#${createHash('sha256').update(`${issuer}\n${subject}`).digest('base64url')}`,
    SK: 'SUBJECT',
  }),
  group: (tenantId: string, groupName: string) => ({
    PK: `TENANT#${tenantId}#GROUP#${groupName}`,
    SK: 'GROUP',
  }),
  groupsByTenant: (tenantId: string, groupName: string) => ({
    GSI1PK: `TENANT#${tenantId}#GROUPS`,
    GSI1SK: groupName,
  }),
  groupMember: (tenantId: string, groupName: string, userId: string) => ({
    PK: `TENANT#${tenantId}#GROUP#${groupName}`,
    SK: `MEMBER#${userId}`,
  }),
  roleCatalog: () => ({ PK: 'ROLES' }),
  role: (roleName: string) => ({ PK: 'ROLES', SK: `ROLE#${roleName}` }),
} as const;
