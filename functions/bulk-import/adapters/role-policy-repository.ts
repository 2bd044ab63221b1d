import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { NEW_TENANT_ROLE_POLICY } from '../domain/role-policy';
import type { DefaultRolePolicy } from '../domain/validation-ports';

const policyItemSchema = z.object({
  rules: z.array(
    z.object({
      department: z.string().optional(),
      jobFamily: z.string().optional(),
      roles: z.array(z.string()),
    }),
  ),
  fallbackRoles: z.array(z.string()),
});

/** A tenant's default role strategy, one item per tenant. */
export class RolePolicyRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(tenantId: string): Promise<DefaultRolePolicy> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: `TENANT#${tenantId}`, SK: 'ROLE_POLICY#default' },
      }),
    );
    return result.Item ? policyItemSchema.parse(result.Item) : NEW_TENANT_ROLE_POLICY;
  }

  async put(tenantId: string, policy: DefaultRolePolicy, updatedBy: string, now: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: `TENANT#${tenantId}`, SK: 'ROLE_POLICY#default', ...policy, updatedBy, updatedAt: now },
      }),
    );
  }
}
