import { describe, expect, it } from 'vitest';
import { EventBridgeFaultSwitch, eventBridgeFaultsSchema } from '../../../local/eventbridge/faults';
import { recipientFails, SesFaultSwitch, sesFaultsSchema } from '../../../local/ses/faults';

const addresses = Array.from({ length: 2_000 }, (_, n) => `person-${n}@acme.test`);

describe('the SES fault switch', () => {
  it('fails about the armed share of recipients, always the same ones', () => {
    const faults = { failRate: 0.3 };
    const failing = addresses.filter((address) => recipientFails(faults, address));
    expect(failing.length / addresses.length).toBeGreaterThan(0.25);
    expect(failing.length / addresses.length).toBeLessThan(0.35);
    expect(addresses.filter((address) => recipientFails(faults, address.toUpperCase()))).toEqual(failing);
  });

  it('fails every attempt of a chosen recipient, counts attempts per recipient, and spares other suffixes', () => {
    const faults = new SesFaultSwitch();
    faults.set(sesFaultsSchema.parse({ failRate: 1, recipientSuffix: '@acme.test' }));
    expect(faults.decide(['a@acme.test'])).toBe('TooManyRequestsException');
    expect(faults.decide(['A@ACME.test'])).toBe('TooManyRequestsException');
    expect(faults.decide(['b@globex.test'])).toBeUndefined();
    expect(faults.report()).toMatchObject({
      armed: true,
      attempts: { 'a@acme.test': 2 },
      rejected: { 'a@acme.test': 2 },
    });
  });

  it('lets everything through once disarmed, and keeps the counts until it is armed again', () => {
    const faults = new SesFaultSwitch();
    faults.set(sesFaultsSchema.parse({ failRate: 1, error: 'ServiceUnavailable' }));
    expect(faults.decide(['a@acme.test'])).toBe('ServiceUnavailable');
    faults.set(undefined);
    expect(faults.decide(['a@acme.test'])).toBeUndefined();
    expect(faults.report()).toEqual({
      armed: false,
      attempts: { 'a@acme.test': 1 },
      rejected: { 'a@acme.test': 1 },
    });
    faults.set(sesFaultsSchema.parse({ failRate: 0 }));
    expect(faults.report()).toMatchObject({ attempts: {}, rejected: {} });
  });
});

describe('the EventBridge fault switch', () => {
  const entry = (eventId: string, tenantId = 'acme') => {
    const detail = { eventId, tenantId };
    return { detail, detailText: JSON.stringify(detail) };
  };

  it('rejects a chosen entry its first failuresPerEntry times, then lets it through', () => {
    const faults = new EventBridgeFaultSwitch();
    faults.set(eventBridgeFaultsSchema.parse({ failRate: 1, failuresPerEntry: 2 }));
    expect(faults.decide(entry('evt_1'))).toBe('InternalFailure');
    expect(faults.decide(entry('evt_1'))).toBe('InternalFailure');
    expect(faults.decide(entry('evt_1'))).toBeUndefined();
    expect(faults.report()).toMatchObject({ armed: true, entriesRejected: 1, rejections: 2 });
  });

  it('chooses about the armed share of events, only of the armed tenant', () => {
    const faults = new EventBridgeFaultSwitch();
    faults.set(eventBridgeFaultsSchema.parse({ failRate: 0.3, tenantId: 'acme' }));
    const rejected = Array.from({ length: 2_000 }, (_, n) => faults.decide(entry(`evt_${n}`))).filter(
      Boolean,
    );
    expect(rejected.length / 2_000).toBeGreaterThan(0.25);
    expect(rejected.length / 2_000).toBeLessThan(0.35);
    expect(faults.decide(entry('evt_1', 'globex'))).toBeUndefined();
  });
});
