import { createDocumentClient } from '../shared/aws/dynamodb';
import { loadConfig } from '../shared/config';
import { tableConfig } from '../shared/runtime-config';
import { DirectoryRepository } from './adapters/directory-repository';
import {
  type EnsurePrincipalInput,
  ensurePrincipal as ensurePrincipalUseCase,
} from './use-cases/ensure-principal';

const config = loadConfig(tableConfig);
const directory = new DirectoryRepository(createDocumentClient(), config.TABLE_NAME);

/** `ensurePrincipal` wired to the configured table: what the local issuer calls before minting a token. */
export function ensurePrincipal(input: EnsurePrincipalInput): Promise<{ userId: string; subject: string }> {
  return ensurePrincipalUseCase({ directory, clock: () => new Date() }, input);
}
