import { describe, expect, it } from 'vitest';
import type { Migration, MigrationContext } from '../../../functions/migrations/migration';
import { runMigrations } from '../../../functions/migrations/runner';

/** An in-memory stand-in for the migration records and lock, with the same semantics as the table. */
class MemoryMigrationStore {
  readonly records = new Map<string, string | undefined>();
  lockOwner: string | undefined;
  lockExpiresAt = 0;
  async applied() {
    return new Map(this.records);
  }
  async recordApplied(id: string, _description: string, _appliedAt: Date, checksum?: string) {
    this.records.set(id, checksum);
  }
  async acquireLock(owner: string, now: Date, leaseSeconds: number) {
    const nowSeconds = now.getTime() / 1000;
    if (this.lockOwner && this.lockExpiresAt >= nowSeconds) return false;
    this.lockOwner = owner;
    this.lockExpiresAt = nowSeconds + leaseSeconds;
    return true;
  }
  async releaseLock(owner: string) {
    if (this.lockOwner === owner) this.lockOwner = undefined;
  }
}

const context = { now: () => new Date('2026-01-01T00:00:00Z') } as unknown as MigrationContext;
const noSleep = async () => undefined;

function recording(ids: string[], log: string[]): Migration[] {
  return ids.map((id) => ({ id, description: `migration ${id}`, up: async () => void log.push(id) }));
}

describe('runMigrations', () => {
  it('applies pending migrations in order and records them', async () => {
    const store = new MemoryMigrationStore();
    const log: string[] = [];
    const report = await runMigrations(recording(['0001-a', '0002-b'], log), {
      repository: store,
      context,
      sleep: noSleep,
    });
    expect(log).toEqual(['0001-a', '0002-b']);
    expect(report).toEqual({ applied: ['0001-a', '0002-b'], alreadyApplied: [] });
    expect([...store.records.keys()]).toEqual(['0001-a', '0002-b']);
  });

  it('runs nothing twice: a second run applies only what is new', async () => {
    const store = new MemoryMigrationStore();
    await runMigrations(recording(['0001-a'], []), { repository: store, context, sleep: noSleep });
    const log: string[] = [];
    const report = await runMigrations(recording(['0001-a', '0002-b'], log), {
      repository: store,
      context,
      sleep: noSleep,
    });
    expect(log).toEqual(['0002-b']);
    expect(report).toEqual({ applied: ['0002-b'], alreadyApplied: ['0001-a'] });
  });

  it('runs a repeatable migration again exactly when its checksum changes', async () => {
    const store = new MemoryMigrationStore();
    const log: string[] = [];
    const repeatable = (checksum: string): Migration => ({
      id: '0001-roles',
      description: 'roles',
      checksum,
      up: async () => void log.push(checksum),
    });
    await runMigrations([repeatable('v1')], { repository: store, context, sleep: noSleep });
    const unchanged = await runMigrations([repeatable('v1')], { repository: store, context, sleep: noSleep });
    const changed = await runMigrations([repeatable('v2')], { repository: store, context, sleep: noSleep });
    expect(log).toEqual(['v1', 'v2']);
    expect(unchanged.applied).toEqual([]);
    expect(changed.applied).toEqual(['0001-roles']);
    expect(store.records.get('0001-roles')).toBe('v2');
  });

  it('stops at a failing migration, leaves it unrecorded, and releases the lock', async () => {
    const store = new MemoryMigrationStore();
    const migrations: Migration[] = [
      { id: '0001-a', description: 'a', up: async () => undefined },
      {
        id: '0002-b',
        description: 'b',
        up: async () => {
          throw new Error('boom');
        },
      },
      { id: '0003-c', description: 'c', up: async () => undefined },
    ];
    await expect(runMigrations(migrations, { repository: store, context, sleep: noSleep })).rejects.toThrow(
      'boom',
    );
    expect([...store.records.keys()]).toEqual(['0001-a']);
    expect(store.lockOwner).toBeUndefined();
  });

  it("waits for another runner's lock and then finds its work done", async () => {
    const store = new MemoryMigrationStore();
    store.lockOwner = 'other-runner';
    store.lockExpiresAt = Number.MAX_SAFE_INTEGER;
    let waits = 0;
    const sleep = async () => {
      waits += 1;
      if (waits === 3) {
        store.records.set('0001-a', undefined);
        store.lockOwner = undefined;
      }
    };
    const log: string[] = [];
    const report = await runMigrations(recording(['0001-a'], log), { repository: store, context, sleep });
    expect(waits).toBe(3);
    expect(log).toEqual([]);
    expect(report.alreadyApplied).toEqual(['0001-a']);
  });

  it('gives up with a clear error when the lock is never freed', async () => {
    const store = new MemoryMigrationStore();
    store.lockOwner = 'stuck';
    store.lockExpiresAt = Number.MAX_SAFE_INTEGER;
    await expect(
      runMigrations(recording(['0001-a'], []), { repository: store, context, sleep: noSleep }),
    ).rejects.toThrow(/Another migration runner has held the lock/);
  });

  it('refuses a list out of id order or with duplicates, before touching anything', async () => {
    const store = new MemoryMigrationStore();
    await expect(
      runMigrations(recording(['0002-b', '0001-a'], []), { repository: store, context }),
    ).rejects.toThrow(/id order/);
    await expect(
      runMigrations(recording(['0001-a', '0001-a'], []), { repository: store, context }),
    ).rejects.toThrow(/Duplicate/);
    expect(store.lockOwner).toBeUndefined();
  });
});
