import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { maskAttributes, maskEmail, maskText } from '../../../functions/shared/pii';

describe('PII masking', () => {
  it("keeps an email's first character and domain only", () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j***@example.com');
    expect(maskText('invite sent to Jane.Doe+hr@corp.example.co.uk today')).toBe(
      'invite sent to J***@corp.example.co.uk today',
    );
  });

  it('keeps only the last two digits of an internationally written phone number in free text', () => {
    expect(maskText('call +44 20 7946 0958 now')).toBe('call ***58 now');
    expect(maskText('sms to +14155552671')).toBe('sms to ***71');
  });

  it('leaves ids, request ids, dates and counts alone, so they stay searchable', () => {
    const untouched = [
      'row 12 of task t_01hx, 500 rows',
      '3f2a9c1e-1234-4567-89ab-cdef12345678',
      'u_01jabc2def3ghj4kmn5pqr6st78',
      '2026-11-01T10:00:00.000Z',
      'took 1234567 ms',
    ];
    for (const text of untouched) expect(maskText(text)).toBe(text);
  });

  it('masks a whole value logged under a phone-like key, whatever its format', () => {
    expect(
      maskAttributes({ phone: '020 7946 0958', mobileNumber: '07700 900123', telephone: '555-0100' }),
    ).toEqual({
      phone: '***58',
      mobileNumber: '***23',
      telephone: '***00',
    });
  });

  it('masks every string in nested payloads and survives cycles', () => {
    const payload: Record<string, unknown> = {
      user: { emails: ['a.b@x.io'], contact: { phone: '+15551234567' } },
      count: 3,
    };
    payload.self = payload;
    expect(maskAttributes(payload)).toEqual({
      user: { emails: ['a***@x.io'], contact: { phone: '***67' } },
      count: 3,
      self: '[Circular]',
    });
  });

  it("keeps an error's message and stack, masked", () => {
    const error = new Error('no user ann@acme.test');
    const masked = maskAttributes({ error });
    expect(masked.error).toMatchObject({ name: 'Error', message: 'no user a***@acme.test' });
    expect(z.object({ stack: z.string() }).parse(masked.error).stack).toContain('pii.test.ts');
  });
});
