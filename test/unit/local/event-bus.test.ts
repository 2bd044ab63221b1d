import { describe, expect, it, vi } from 'vitest';
import type { EventRuleDefinition } from '../../../config/event-rules';
import { type BusEvent, createLocalEventBus } from '../../../local/eventbridge/bus';

const auditRule: EventRuleDefinition = {
  name: 'AuditTrail',
  description: 'test',
  pattern: { source: ['muster.iam'], 'detail-type': [{ prefix: 'iam.' }] },
  target: { entry: 'functions/audit/handlers/audit-writer.ts', export: 'handler' },
};

const entry = (detailType: string, detail: unknown = { tenantId: 't1' }) => ({
  source: 'muster.iam',
  detailType,
  detail,
  time: new Date('2025-01-02T03:04:05.678Z'),
  resources: [],
});

describe('createLocalEventBus', () => {
  it('records each event and delivers it to matching rules with the EventBridge event shape, after publish returns', async () => {
    const delivered: BusEvent[] = [];
    const bus = createLocalEventBus({
      rules: [auditRule],
      invokeTarget: async (target, event) => {
        expect(target).toBe(auditRule.target);
        delivered.push(event);
      },
    });
    const record = bus.publish(entry('iam.user.created'));
    expect(delivered).toEqual([]);
    expect(record.deliveries).toEqual([{ rule: 'AuditTrail', status: 'pending', attempts: 0 }]);

    await bus.drain();
    expect(delivered).toEqual([
      {
        version: '0',
        id: record.id,
        'detail-type': 'iam.user.created',
        source: 'muster.iam',
        account: '000000000000',
        time: '2025-01-02T03:04:05Z',
        region: 'us-east-1',
        resources: [],
        detail: { tenantId: 't1' },
      },
    ]);
    expect(bus.events()).toEqual([
      {
        id: record.id,
        'detail-type': 'iam.user.created',
        source: 'muster.iam',
        detail: { tenantId: 't1' },
        time: '2025-01-02T03:04:05Z',
        tenantId: 't1',
        bus: 'muster',
        deliveries: [{ rule: 'AuditTrail', status: 'delivered', attempts: 1 }],
      },
    ]);
  });

  it('records events no rule matches, without a tenant when the detail has none', async () => {
    const invokeTarget = vi.fn(async () => undefined);
    const bus = createLocalEventBus({ rules: [auditRule], invokeTarget });
    bus.publish(entry('workspace.renamed', { name: 'x' }));
    await bus.drain();
    expect(invokeTarget).not.toHaveBeenCalled();
    expect(bus.events()[0]).not.toHaveProperty('tenantId');
    expect(bus.events()[0]?.deliveries).toEqual([]);
  });

  it('filters recorded events by detail type, oldest first', () => {
    const bus = createLocalEventBus({ rules: [], invokeTarget: async () => undefined });
    bus.publish(entry('iam.a'));
    bus.publish(entry('iam.b'));
    bus.publish(entry('iam.a', { tenantId: 't2' }));
    expect(bus.events({ detailType: 'iam.a' }).map((event) => event.tenantId)).toEqual(['t1', 't2']);
  });

  it('keeps the default bus’s events (AWS services’) apart from Muster’s, and routes both', async () => {
    const invokeTarget = vi.fn(async () => undefined);
    const statusRule: EventRuleDefinition = {
      ...auditRule,
      name: 'Status',
      pattern: { source: ['aws.states'], detail: { status: ['FAILED'] } },
    };
    const bus = createLocalEventBus({ rules: [statusRule], invokeTarget });
    bus.publish(entry('iam.a'));
    bus.publish({
      ...entry('Step Functions Execution Status Change', { status: 'FAILED' }),
      source: 'aws.states',
      bus: 'default',
    });
    await bus.drain();
    expect(bus.events().map((event) => event['detail-type'])).toEqual(['iam.a']);
    expect(bus.events({ bus: 'default' }).map((event) => event['detail-type'])).toEqual([
      'Step Functions Execution Status Change',
    ]);
    expect(invokeTarget).toHaveBeenCalledTimes(1);
  });

  it('retries a throwing target with backoff, then gives up and dead-letters the event', async () => {
    let calls = 0;
    const deadLettered = vi.fn();
    const bus = createLocalEventBus({
      rules: [auditRule],
      retryDelaysMs: [1, 1],
      invokeTarget: async () => {
        calls += 1;
        throw new Error(`attempt ${calls} failed`);
      },
      onDeadLetter: deadLettered,
    });
    const record = bus.publish(entry('iam.user.created'));
    await bus.drain();
    expect(calls).toBe(3);
    expect(record.deliveries).toEqual([
      { rule: 'AuditTrail', status: 'dead-lettered', attempts: 3, lastError: 'attempt 3 failed' },
    ]);
    expect(deadLettered).toHaveBeenCalledWith(record, record.deliveries[0]);
  });

  it('delivers on a retry after a transient failure', async () => {
    let calls = 0;
    const bus = createLocalEventBus({
      rules: [auditRule],
      retryDelaysMs: [1, 1],
      invokeTarget: async () => {
        calls += 1;
        if (calls === 1) throw new Error('throttled');
      },
    });
    const record = bus.publish(entry('iam.user.created'));
    await bus.drain();
    expect(record.deliveries).toEqual([{ rule: 'AuditTrail', status: 'delivered', attempts: 2 }]);
  });

  it('drain waits for deliveries started while it waits', async () => {
    const order: string[] = [];
    const bus = createLocalEventBus({
      rules: [auditRule],
      invokeTarget: async (_target, event) => {
        order.push(event['detail-type']);
        if (event['detail-type'] === 'iam.first') bus.publish(entry('iam.second'));
      },
    });
    bus.publish(entry('iam.first'));
    await bus.drain();
    expect(order).toEqual(['iam.first', 'iam.second']);
  });
});
