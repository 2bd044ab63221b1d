import { describe, expect, it } from 'vitest';
import { maskEmail, maskPii, maskText } from '../../../functions/shared/pii';

describe('PII masking', () => {
  it("keeps an email's first character and domain only", () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j***@example.com');
    expect(maskText('invite sent to Jane.Doe+hr@corp.example.co.uk today')).toBe(
      'invite sent to J***@corp.example.co.uk today',
    );
  });

  it('keeps only the last two digits of a phone number', () => {
    expect(maskText('call +44 20 7946 0958')).toBe('call ***58');
    expect(maskText('phone: 020-7946-0958')).toBe('phone: ***58');
  });

  it('leaves ids, counts and dates alone', () => {
    expect(maskText('row 12 of task t_01hx, 500 rows')).toBe('row 12 of task t_01hx, 500 rows');
  });

  it('masks every string in nested payloads and survives cycles', () => {
    const payload: Record<string, unknown> = {
      user: { emails: ['a.b@x.io'], phone: '+15551234567' },
      count: 3,
    };
    payload.self = payload;
    expect(maskPii(payload)).toEqual({
      user: { emails: ['a***@x.io'], phone: '***67' },
      count: 3,
      self: '[Circular]',
    });
  });
});
