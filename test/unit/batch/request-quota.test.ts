import { describe, expect, it } from 'vitest';
import { admittedRequests, quotaWindow } from '../../../functions/batch/domain/request-quota';

const limits = { perCaller: 100, perTenant: 1000 };

describe('quotaWindow', () => {
  it('starts on the minute and says how long until the next one', () => {
    expect(quotaWindow(new Date('2026-11-22T10:15:20.250Z'))).toEqual({
      startsAt: Date.parse('2026-11-22T10:15:00Z') / 1000,
      resetsInSeconds: 40,
    });
  });

  it('never asks to retry in less than a second', () => {
    expect(quotaWindow(new Date('2026-11-22T10:15:59.900Z')).resetsInSeconds).toBe(1);
    expect(quotaWindow(new Date('2026-11-22T10:16:00.000Z'))).toEqual({
      startsAt: Date.parse('2026-11-22T10:16:00Z') / 1000,
      resetsInSeconds: 60,
    });
  });
});

describe('admittedRequests', () => {
  it('admits everything under both limits', () => {
    expect(admittedRequests(20, { caller: 20, tenant: 20 }, limits)).toBe(20);
    expect(admittedRequests(20, { caller: 100, tenant: 500 }, limits)).toBe(20);
  });

  it('admits the part that fits when a batch crosses the caller limit', () => {
    expect(admittedRequests(20, { caller: 105, tenant: 105 }, limits)).toBe(15);
  });

  it('admits none once the caller limit was already reached', () => {
    expect(admittedRequests(20, { caller: 120, tenant: 120 }, limits)).toBe(0);
    expect(admittedRequests(5, { caller: 300, tenant: 300 }, limits)).toBe(0);
  });

  it('the tenant limit binds callers that are each under their own', () => {
    expect(admittedRequests(20, { caller: 20, tenant: 1012 }, limits)).toBe(8);
  });

  it('the tighter of the two limits wins', () => {
    expect(admittedRequests(20, { caller: 110, tenant: 1005 }, limits)).toBe(10);
    expect(admittedRequests(20, { caller: 104, tenant: 1015 }, limits)).toBe(5);
  });

  it('two concurrent batches together never exceed the limit', () => {
    // The counter serialises them: the first sees 95 + 20, the second 115 + 20.
    const first = admittedRequests(20, { caller: 115, tenant: 115 }, limits);
    const second = admittedRequests(20, { caller: 135, tenant: 135 }, limits);
    expect(first + second).toBe(5);
  });
});
