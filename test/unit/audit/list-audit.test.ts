import { describe, expect, it } from 'vitest';
import { positionOf } from '../../../functions/audit/domain/audit-listing';
import type { AuditRecord } from '../../../functions/audit/domain/audit-record';
import {
  type AuditPartition,
  type AuditTrail,
  listAudit,
  MAX_AUDIT_EXAMINED,
} from '../../../functions/audit/use-cases/list-audit';

const NOW = new Date('2026-11-22T12:00:00.000Z');

function record(index: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  const occurredAt = new Date(NOW.getTime() - index * 60 * 60 * 1000).toISOString();
  return {
    eventId: `evt_${String(index).padStart(4, '0')}`,
    action: index % 2 === 0 ? 'iam.user.created' : 'iam.permission.granted',
    occurredAt,
    tenantId: 'acme',
    actor: { type: 'user', userId: index % 3 === 0 ? 'u_admin' : 'u_ops', tenantId: 'acme' },
    targetId: `user:u_${index % 4}`,
    correlationId: `corr-${index}`,
    eventVersion: 1,
    data: {},
    ...overrides,
  };
}

/** The table's partitions in memory, read the way the repository does: newest first, in a range. */
function trailOf(records: readonly AuditRecord[]) {
  const reads: AuditPartition[] = [];
  const inPartition = (item: AuditRecord, partition: AuditPartition) => {
    if (partition.kind === 'target') return item.targetId === partition.targetId;
    if (partition.kind === 'actor')
      return item.actor.type === 'user' && item.actor.userId === partition.actorKey;
    return item.occurredAt.startsWith(partition.day);
  };
  const trail: AuditTrail = {
    async pageOf(_tenantId, partition, range, limit) {
      reads.push(partition);
      const matching = records
        .filter((item) => inPartition(item, partition))
        .filter((item) => positionOf(item) >= range.from && positionOf(item) < range.before)
        .sort((a, b) => positionOf(b).localeCompare(positionOf(a)));
      return { records: matching.slice(0, limit), more: matching.length > limit };
    },
  };
  return { trail, reads };
}

async function walk(trail: AuditTrail, query: Parameters<typeof listAudit>[2]) {
  const seen: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await listAudit({ trail }, 'acme', { ...query, ...(nextToken ? { nextToken } : {}) }, NOW);
    seen.push(...page.items.map((item) => item.eventId));
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken !== undefined && pages < 1000);
  return { seen, pages };
}

describe('listAudit', () => {
  const records = Array.from({ length: 100 }, (_, index) => record(index));

  it('walks a target trail newest first without gaps or repeats', async () => {
    const { trail, reads } = trailOf(records);
    const { seen } = await walk(trail, { limit: 7, filter: { targetId: 'user:u_1' } });
    const expected = records.filter((item) => item.targetId === 'user:u_1').map((item) => item.eventId);
    expect(seen).toEqual(expected);
    expect(reads.every((partition) => partition.kind === 'target')).toBe(true);
  });

  it('reads an actor trail by actor and filters it by type prefix', async () => {
    const { trail, reads } = trailOf(records);
    const { seen } = await walk(trail, { limit: 5, filter: { actorId: 'u_admin', type: 'iam.user.' } });
    const expected = records
      .filter((item) => item.actor.type === 'user' && item.actor.userId === 'u_admin')
      .filter((item) => item.action.startsWith('iam.user.'))
      .map((item) => item.eventId);
    expect(seen).toEqual(expected);
    expect(reads.every((partition) => partition.kind === 'actor')).toBe(true);
  });

  it('filters a target trail by actor too', async () => {
    const { trail } = trailOf(records);
    const { seen } = await walk(trail, { limit: 3, filter: { targetId: 'user:u_0', actorId: 'u_ops' } });
    expect(seen).toEqual(
      records
        .filter(
          (item) =>
            item.targetId === 'user:u_0' && item.actor.type === 'user' && item.actor.userId === 'u_ops',
        )
        .map((item) => item.eventId),
    );
  });

  it('walks the tenant trail day by day within the window, which ends now by default', async () => {
    const { trail, reads } = trailOf(records);
    const from = new Date('2026-11-20T12:00:00.000Z');
    const { seen } = await walk(trail, { limit: 10, filter: {}, from });
    expect(seen).toEqual(
      records
        .filter((item) => item.occurredAt >= from.toISOString() && item.occurredAt < NOW.toISOString())
        .map((item) => item.eventId),
    );
    expect(new Set(reads.map((partition) => (partition.kind === 'day' ? partition.day : '?')))).toEqual(
      new Set(['2026-11-22', '2026-11-21', '2026-11-20']),
    );
  });

  it('keeps `to` exclusive and `from` inclusive', async () => {
    const { trail } = trailOf(records);
    const page = await listAudit(
      { trail },
      'acme',
      {
        limit: 50,
        filter: { targetId: 'user:u_0' },
        from: new Date(records[8]?.occurredAt ?? ''),
        to: new Date(records[0]?.occurredAt ?? ''),
      },
      NOW,
    );
    expect(page.items.map((item) => item.eventId)).toEqual(['evt_0004', 'evt_0008']);
    expect(page).not.toHaveProperty('nextToken');
  });

  it('ends a page that reached the end of the trail without a token', async () => {
    const { trail } = trailOf(records);
    const page = await listAudit({ trail }, 'acme', { limit: 25, filter: { targetId: 'user:u_3' } }, NOW);
    expect(page.items).toHaveLength(25);
    expect(page).not.toHaveProperty('nextToken');
  });

  it('answers a short page with a token when a rare filter would read too much', async () => {
    const many = Array.from({ length: MAX_AUDIT_EXAMINED + 50 }, (_, index) =>
      record(index, {
        targetId: 'user:u_busy',
        occurredAt: new Date(NOW.getTime() - index * 1000).toISOString(),
        action: index === MAX_AUDIT_EXAMINED + 10 ? 'iam.user.deactivated' : 'iam.permission.granted',
      }),
    );
    const { trail } = trailOf(many);
    const query = { limit: 10, filter: { targetId: 'user:u_busy', type: 'iam.user.' } };
    const first = await listAudit({ trail }, 'acme', query, NOW);
    expect(first.items).toEqual([]);
    expect(first.nextToken).toBeDefined();
    const { seen } = await walk(trail, query);
    expect(seen).toEqual([`evt_${String(MAX_AUDIT_EXAMINED + 10).padStart(4, '0')}`]);
  });
});
