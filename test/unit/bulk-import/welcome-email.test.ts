import { describe, expect, it } from 'vitest';
import { welcomeEmail } from '../../../functions/bulk-import/domain/welcome-email';

describe('welcomeEmail', () => {
  const base = { name: 'Ann', activationUrl: 'https://app.test/activate?token=abc', expiresInHours: 168 };

  it("speaks the user's language, and English when it has no words for it", () => {
    expect(welcomeEmail({ ...base, locale: 'de-DE' }).subject).toBe('Ihr neues Konto ist bereit');
    expect(welcomeEmail({ ...base, locale: 'fr' }).subject).toBe('Votre nouveau compte est prêt');
    expect(welcomeEmail({ ...base, locale: 'ja-JP' }).subject).toBe('Your new account is ready');
    expect(welcomeEmail(base).subject).toBe('Your new account is ready');
  });

  it('carries the activation link and its expiry in both bodies', () => {
    const email = welcomeEmail(base);
    expect(email.text).toContain('https://app.test/activate?token=abc');
    expect(email.text).toContain('168 hours');
    expect(email.html).toContain('href="https://app.test/activate?token=abc"');
  });

  it('escapes names in the HTML', () => {
    expect(welcomeEmail({ ...base, name: '<script>x</script>' }).html).toContain(
      '&lt;script&gt;x&lt;/script&gt;',
    );
  });
});
