/**
 * The columns of the bulk-import template: what each holds, its limits, and the other headers it is
 * recognised by (HR systems export "First Name", "E-mail", "Hire Date" …). The Instructions sheet,
 * the header mapper and the row rules all read these definitions, so they cannot drift apart.
 */
export const COLUMN_NAMES = [
  'email',
  'given_name',
  'family_name',
  'display_name',
  'employee_id',
  'department',
  'job_family',
  'phone',
  'manager_email',
  'locale',
  'roles',
  'groups',
  'start_date',
] as const;
export type ColumnName = (typeof COLUMN_NAMES)[number];

export interface TemplateColumn {
  readonly name: ColumnName;
  readonly required: boolean;
  readonly description: string;
  /** The rule a value must follow, as the Instructions sheet states it. */
  readonly format: string;
  readonly example: string;
  /** Most characters (code points) a value may have; for a list, each entry. */
  readonly maxLength?: number;
  /** Most entries a `;`-separated list may have. */
  readonly maxItems?: number;
  /** Other headers meaning this column; matched ignoring case, spaces, `_`, `-` and punctuation. */
  readonly aliases: readonly string[];
  /** The XLSX template formats the column as text, so Excel keeps leading zeros, `+` and dates as typed. */
  readonly keepAsText: boolean;
}

/** RFC 5321 caps a forward path at 256 octets, so an address at 254 characters. */
const EMAIL_MAX_LENGTH = 254;
const NAME_MAX_LENGTH = 100;
const DISPLAY_NAME_MAX_LENGTH = 256;
const EMPLOYEE_ID_MAX_LENGTH = 64;
const ORGANISATION_MAX_LENGTH = 128;
/** RFC 5646 asks implementations to support language tags of at least 35 characters. */
const LOCALE_MAX_LENGTH = 35;
const ROLE_NAME_MAX_LENGTH = 64;
const GROUP_NAME_MAX_LENGTH = 128;

const DEFINITIONS: { readonly [name in ColumnName]: TemplateColumn & { readonly name: name } } = {
  email: {
    name: 'email',
    required: true,
    description:
      "The person's work email address; it is their sign-in name and where the welcome email goes.",
    format: `A single address such as name@company.com, at most ${EMAIL_MAX_LENGTH} characters; stored in lower case. Must not belong to an existing user nor appear twice in the file.`,
    example: 'ada.lovelace@example.com',
    maxLength: EMAIL_MAX_LENGTH,
    aliases: [
      'e-mail',
      'mail',
      'email address',
      'e-mail address',
      'work email',
      'work e-mail',
      'business email',
      'primary email',
      'user email',
    ],
    keepAsText: false,
  },
  given_name: {
    name: 'given_name',
    required: false,
    description: 'First name.',
    format: `Text, at most ${NAME_MAX_LENGTH} characters.`,
    example: 'Ada',
    maxLength: NAME_MAX_LENGTH,
    aliases: ['given name', 'first name', 'firstname', 'forename', 'first'],
    keepAsText: false,
  },
  family_name: {
    name: 'family_name',
    required: false,
    description: 'Last name.',
    format: `Text, at most ${NAME_MAX_LENGTH} characters.`,
    example: 'Lovelace',
    maxLength: NAME_MAX_LENGTH,
    aliases: ['family name', 'last name', 'lastname', 'surname', 'last'],
    keepAsText: false,
  },
  display_name: {
    name: 'display_name',
    required: false,
    description: 'The name shown in the product; when empty, products use given and family name.',
    format: `Text, at most ${DISPLAY_NAME_MAX_LENGTH} characters.`,
    example: 'Ada Lovelace',
    maxLength: DISPLAY_NAME_MAX_LENGTH,
    aliases: ['display name', 'full name', 'name', 'preferred name'],
    keepAsText: false,
  },
  employee_id: {
    name: 'employee_id',
    required: false,
    description: "The HR system's id for the person.",
    format: `Text, at most ${EMPLOYEE_ID_MAX_LENGTH} characters, kept exactly as written (leading zeros too). Must not belong to an existing user nor appear twice in the file.`,
    example: '000123',
    maxLength: EMPLOYEE_ID_MAX_LENGTH,
    aliases: [
      'employee id',
      'employee number',
      'employee no',
      'emp id',
      'emp no',
      'staff id',
      'staff number',
      'personnel number',
      'worker id',
    ],
    keepAsText: true,
  },
  department: {
    name: 'department',
    required: false,
    description: 'Department; with job_family it selects the default roles through the default role policy.',
    format: `Text, at most ${ORGANISATION_MAX_LENGTH} characters; matched to the policy ignoring case.`,
    example: 'Engineering',
    maxLength: ORGANISATION_MAX_LENGTH,
    aliases: ['dept', 'department name', 'dept name'],
    keepAsText: false,
  },
  job_family: {
    name: 'job_family',
    required: false,
    description: 'Job family; with department it selects the default roles through the default role policy.',
    format: `Text, at most ${ORGANISATION_MAX_LENGTH} characters; matched to the policy ignoring case.`,
    example: 'Software Engineering',
    maxLength: ORGANISATION_MAX_LENGTH,
    aliases: ['job family', 'job function', 'job family group'],
    keepAsText: false,
  },
  phone: {
    name: 'phone',
    required: false,
    description: 'Mobile or work phone number.',
    format:
      'International format with + and the country code, e.g. +44 7911 123456. A national number such as 07911 123456 is accepted only when the row has a locale with a region (en-GB). Stored as E.164.',
    example: '+44 7911 123456',
    aliases: [
      'phone number',
      'mobile',
      'mobile phone',
      'mobile number',
      'cell',
      'cell phone',
      'telephone',
      'work phone',
    ],
    keepAsText: true,
  },
  manager_email: {
    name: 'manager_email',
    required: false,
    description: "The manager's work email.",
    format: 'An email address of an existing user or of another valid row in this file.',
    example: 'grace.hopper@example.com',
    maxLength: EMAIL_MAX_LENGTH,
    aliases: ['manager', 'manager e-mail', 'manager email address', 'supervisor email', 'line manager email'],
    keepAsText: false,
  },
  locale: {
    name: 'locale',
    required: false,
    description: 'Language (and region) for emails and the product.',
    format:
      'A BCP 47 language tag such as en-GB, de-DE, fr, pt-BR; en_GB is accepted and rewritten as en-GB.',
    example: 'en-GB',
    maxLength: LOCALE_MAX_LENGTH,
    aliases: ['language', 'preferred language', 'lang'],
    keepAsText: false,
  },
  roles: {
    name: 'roles',
    required: false,
    description:
      'Roles to grant besides the default roles of the policy. Roles that need approval are granted only once approved.',
    format: `Role names separated by ; (e.g. operator;security_approver), at most 20, each at most ${ROLE_NAME_MAX_LENGTH} characters.`,
    example: 'operator',
    maxLength: ROLE_NAME_MAX_LENGTH,
    maxItems: 20,
    aliases: ['role', 'extra roles', 'additional roles'],
    keepAsText: false,
  },
  groups: {
    name: 'groups',
    required: false,
    description: 'Groups the person joins.',
    format: `Existing group names separated by ; (e.g. engineering;london), at most 50, each at most ${GROUP_NAME_MAX_LENGTH} characters.`,
    example: 'engineering;london',
    maxLength: GROUP_NAME_MAX_LENGTH,
    maxItems: 50,
    aliases: ['group', 'group names'],
    keepAsText: false,
  },
  start_date: {
    name: 'start_date',
    required: false,
    description: 'First working day.',
    format: 'A date as YYYY-MM-DD, e.g. 2026-01-15 (a date cell in Excel is accepted too).',
    example: '2026-01-15',
    aliases: ['start date', 'hire date', 'date of hire', 'joining date', 'date of joining', 'start'],
    keepAsText: true,
  },
};

export const TEMPLATE_COLUMNS: readonly TemplateColumn[] = COLUMN_NAMES.map((name) => DEFINITIONS[name]);

export function templateColumn(name: ColumnName): TemplateColumn {
  return DEFINITIONS[name];
}

const COLUMN_POSITIONS: ReadonlyMap<string, number> = new Map(
  COLUMN_NAMES.map((name, position) => [name, position]),
);

/** Items sorted (stably) by the template position of their column; those without a template column first. */
export function inColumnOrder<Item extends { readonly column: string | null }>(
  items: readonly Item[],
): Item[] {
  const position = (column: string | null) => (column === null ? -1 : (COLUMN_POSITIONS.get(column) ?? -1));
  return [...items].sort((a, b) => position(a.column) - position(b.column));
}

/** Headers compare equal when they differ only in case, spacing, `_`, `-` or punctuation. */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * The template's version, `YYYY.MM` of its release. Files carry it as the header of their last
 * column, `template_version:2026.11`: a header cell is the only place that survives every round
 * trip (CSV opened and saved by Excel, XLSX re-saved, rows copied into a new workbook with their
 * header), it reaches validation through the same record stream as the other headers, and an admin
 * who deletes it loses nothing but the upgrade hint.
 */
export const TEMPLATE_VERSION = '2026.11';
export const TEMPLATE_VERSION_HEADER = `template_version:${TEMPLATE_VERSION}`;
/** Where the current template is downloaded; upgrade hints point here. */
export const TEMPLATE_DOWNLOAD_PATH = '/internal/iam/users/bulk-import/template';

const VERSION_MARKER = /^template[\s_-]*version\s*[:=]\s*(.*)$/i;
const VERSION_NUMBER = /^(\d{4})\.(\d{1,2})$/;

/** The version a header cell declares when it is the version marker (possibly unreadable), else undefined. */
export function templateVersionOf(headerCell: string): string | undefined {
  return VERSION_MARKER.exec(headerCell.trim())?.[1]?.trim();
}

/** Whether a declared version is older than the current template, or unreadable: either way, upgrade. */
export function isOutdatedTemplateVersion(version: string): boolean {
  const declared = VERSION_NUMBER.exec(version);
  const current = VERSION_NUMBER.exec(TEMPLATE_VERSION);
  if (!declared || !current) return true;
  const asMonths = (match: RegExpExecArray) => Number(match[1]) * 12 + Number(match[2]);
  return asMonths(declared) < asMonths(current);
}
