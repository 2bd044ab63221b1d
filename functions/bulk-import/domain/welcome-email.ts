/**
 * The welcome email, in the user's language when we have it (English otherwise). Plain text and
 * HTML carry the same words; every value put into the HTML is escaped.
 */
interface WelcomeWords {
  readonly subject: string;
  readonly greeting: (name: string) => string;
  readonly body: string;
  readonly action: string;
  readonly expiry: (hours: number) => string;
}

const WORDS: Readonly<Record<string, WelcomeWords>> = {
  en: {
    subject: 'Your new account is ready',
    greeting: (name) => `Hello ${name},`,
    body: 'An account has been created for you. Activate it to sign in.',
    action: 'Activate your account',
    expiry: (hours) => `This link expires in ${hours} hours.`,
  },
  de: {
    subject: 'Ihr neues Konto ist bereit',
    greeting: (name) => `Hallo ${name},`,
    body: 'Für Sie wurde ein Konto angelegt. Aktivieren Sie es, um sich anzumelden.',
    action: 'Konto aktivieren',
    expiry: (hours) => `Dieser Link ist ${hours} Stunden gültig.`,
  },
  fr: {
    subject: 'Votre nouveau compte est prêt',
    greeting: (name) => `Bonjour ${name},`,
    body: 'Un compte a été créé pour vous. Activez-le pour vous connecter.',
    action: 'Activer votre compte',
    expiry: (hours) => `Ce lien expire dans ${hours} heures.`,
  },
  es: {
    subject: 'Su nueva cuenta está lista',
    greeting: (name) => `Hola ${name}:`,
    body: 'Se ha creado una cuenta para usted. Actívela para iniciar sesión.',
    action: 'Activar su cuenta',
    expiry: (hours) => `Este enlace caduca en ${hours} horas.`,
  },
};

export function welcomeEmail(input: {
  name: string;
  locale?: string;
  activationUrl: string;
  expiresInHours: number;
}) {
  const language = input.locale?.split('-')[0]?.toLowerCase() ?? 'en';
  const words = WORDS[language] ?? WORDS.en;
  if (!words) throw new Error('English welcome text missing');
  const text = [
    words.greeting(input.name),
    '',
    words.body,
    '',
    `${words.action}: ${input.activationUrl}`,
    '',
    words.expiry(input.expiresInHours),
  ].join('\n');
  const html = `<p>${escapeHtml(words.greeting(input.name))}</p><p>${escapeHtml(words.body)}</p><p><a href="${escapeHtml(
    input.activationUrl,
  )}">${escapeHtml(words.action)}</a></p><p>${escapeHtml(words.expiry(input.expiresInHours))}</p>`;
  return { subject: words.subject, text, html };
}

function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
