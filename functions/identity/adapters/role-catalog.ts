import type { RoleDefinition } from '../domain/roles';
import type { DirectoryRepository } from './directory-repository';

/** How long a warm Lambda trusts its copy of the role catalog: role edits show within a minute. */
const CATALOG_TTL_MS = 60_000;

/** The role catalog, read from the table once per minute per container rather than on every request. */
export class RoleCatalog {
  private cached: { roles: ReadonlyMap<string, RoleDefinition>; loadedAt: number } | undefined;

  constructor(
    private readonly directory: Pick<DirectoryRepository, 'listRoleDefinitions'>,
    private readonly clock: () => number = Date.now,
  ) {}

  async roles(): Promise<ReadonlyMap<string, RoleDefinition>> {
    const now = this.clock();
    if (!this.cached || now - this.cached.loadedAt > CATALOG_TTL_MS) {
      const definitions = await this.directory.listRoleDefinitions();
      this.cached = { roles: new Map(definitions.map((role) => [role.name, role])), loadedAt: now };
    }
    return this.cached.roles;
  }
}
