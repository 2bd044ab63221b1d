import { DirectoryRepository } from '../../functions/identity/adapters/directory-repository';
import {
  type EnsurePrincipalInput,
  ensurePrincipal as ensurePrincipalUseCase,
} from '../../functions/identity/use-cases/ensure-principal';
import { createDocumentClient } from '../../functions/shared/aws/dynamodb';

export type EnsurePrincipal = (input: EnsurePrincipalInput) => Promise<{ userId: string; subject: string }>;

/**
 * The `ensurePrincipal` use case on the stack's table: what `/_local/token` and `/_local/session`
 * call before minting, so the identity they sign exists in the directory. Local-only wiring: import
 * it once the handler environment is set, since the DynamoDB client finds DynamoDB Local through it.
 */
export function localPrincipals(tableName: string): EnsurePrincipal {
  const directory = new DirectoryRepository(createDocumentClient(), tableName);
  return (input) => ensurePrincipalUseCase({ directory, clock: () => new Date() }, input);
}
