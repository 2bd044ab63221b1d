import { describe, expect, it } from 'vitest';
import { checkEntry } from '../../../local/eventbridge/put-events';

const now = new Date('2025-01-02T03:04:05.000Z');
const valid = {
  Source: 'muster.iam',
  DetailType: 'iam.user.created',
  Detail: '{"tenantId":"t1"}',
  EventBusName: 'muster-local',
};

describe('checkEntry', () => {
  it('accepts a complete entry for the configured bus, by name or ARN', () => {
    expect(checkEntry(valid, 'muster-local', now)).toEqual({
      ok: true,
      entry: {
        source: 'muster.iam',
        detailType: 'iam.user.created',
        detail: { tenantId: 't1' },
        time: now,
        resources: [],
      },
    });
    const byArn = { ...valid, EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/muster-local' };
    expect(checkEntry(byArn, 'muster-local', now).ok).toBe(true);
  });

  it('takes Time (epoch seconds) and Resources from the entry', () => {
    const checked = checkEntry({ ...valid, Time: 1_700_000_000, Resources: ['arn:x'] }, 'muster-local', now);
    expect(checked).toMatchObject({
      ok: true,
      entry: { time: new Date(1_700_000_000_000), resources: ['arn:x'] },
    });
  });

  it('fails an entry without Source, DetailType or Detail as InvalidArgument', () => {
    for (const field of ['Source', 'DetailType', 'Detail'] as const) {
      const checked = checkEntry({ ...valid, [field]: undefined }, 'muster-local', now);
      expect(checked).toEqual({
        ok: false,
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      });
    }
  });

  it('fails Detail that is not a JSON object as MalformedDetail', () => {
    for (const detail of ['{not json', '[1,2]', '"text"', '42', 'null']) {
      expect(checkEntry({ ...valid, Detail: detail }, 'muster-local', now)).toMatchObject({
        ok: false,
        ErrorCode: 'MalformedDetail',
      });
    }
  });

  it('fails an entry for another bus, or for the default bus when EventBusName is left out', () => {
    expect(checkEntry({ ...valid, EventBusName: 'other' }, 'muster-local', now)).toMatchObject({
      ok: false,
      ErrorCode: 'ResourceNotFoundException',
      ErrorMessage: 'Event bus other does not exist.',
    });
    expect(checkEntry({ ...valid, EventBusName: undefined }, 'muster-local', now)).toMatchObject({
      ok: false,
      ErrorMessage: 'Event bus default does not exist.',
    });
  });
});
