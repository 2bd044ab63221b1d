import { describe, expect, it } from 'vitest';
import { sweepScopeOf } from '../../../functions/shared/scheduled-run';

const scheduled = {
  version: '0',
  id: 'e-1',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2031-02-03T04:05:06Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/ApprovalSweep'],
  detail: {},
};

describe('sweepScopeOf', () => {
  it("takes the schedule's time as the sweep's clock, for every tenant", () => {
    expect(sweepScopeOf(scheduled)).toEqual({ now: new Date('2031-02-03T04:05:06Z') });
  });

  it('narrows the run to the tenant the detail names', () => {
    expect(sweepScopeOf({ ...scheduled, detail: { tenantId: 'acme' } })).toEqual({
      now: new Date('2031-02-03T04:05:06Z'),
      tenantId: 'acme',
    });
  });

  it('refuses what is not a Scheduled Event with a time, rather than sweeping at a wrong time', () => {
    expect(() => sweepScopeOf({ ...scheduled, time: 'soon' })).toThrow();
    expect(() => sweepScopeOf({ ...scheduled, 'detail-type': 'iam.user.created' })).toThrow();
    expect(() => sweepScopeOf({ ...scheduled, detail: { tenantId: '' } })).toThrow();
  });
});
