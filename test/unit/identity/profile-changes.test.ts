import { describe, expect, it } from 'vitest';
import { adminProfileChangesSchema } from '../../../functions/identity/domain/profile-changes';

function issuesOf(value: unknown): string[] {
  const result = adminProfileChangesSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.') || '(body)');
}

describe('adminProfileChangesSchema', () => {
  it('accepts a partial change, trimmed, with the phone as E.164', () => {
    expect(adminProfileChangesSchema.parse({ department: '  Finance ', phone: '+44 20 7946 0000' })).toEqual({
      department: 'Finance',
      phone: '+442079460000',
    });
  });

  it('reads a national phone number in the region of the locale sent with it', () => {
    expect(adminProfileChangesSchema.parse({ phone: '020 7946 0000', locale: 'en-GB' }).phone).toBe(
      '+442079460000',
    );
  });

  it.each<[string, unknown, string[]]>([
    ['an empty body', {}, ['(body)']],
    ['an unknown field', { email: 'x@y.test', department: 'Sales' }, ['(body)']],
    ['a blank given name', { givenName: '   ' }, ['givenName']],
    ['a control character', { displayName: 'a\u0007b' }, ['displayName']],
    ['a bad locale', { locale: 'not a locale' }, ['locale']],
    ['a bad manager email', { managerEmail: 'lee' }, ['managerEmail']],
    ['a national phone without a locale', { phone: '020 7946 0000' }, ['phone']],
    ['letters in a phone', { phone: 'call me' }, ['phone']],
    ['a number as a field', { department: 7 }, ['department']],
  ])('refuses %s', (_label, body, paths) => {
    expect(issuesOf(body)).toEqual(paths);
  });
});
