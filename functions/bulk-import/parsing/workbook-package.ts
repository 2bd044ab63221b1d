import { posix } from 'node:path';
import { macroWorkbook } from './detect-format';
import { FileRejectedError } from './sheet-record';
import type { ZipArchive, ZipEntry } from './zip-archive';

/** The parts of a workbook the users are read from. */
export interface UsersSheet {
  readonly name: string;
  readonly worksheet: ZipEntry;
  readonly styles?: ZipEntry;
  readonly sharedStrings?: ZipEntry;
  /** Day 0 is 1904-01-01 (old Mac Excel) instead of 1900-01-00. */
  readonly date1904: boolean;
}

export interface InflationLimits {
  /** Over this many bytes inflated in all → FILE_TOO_LARGE (zip bombs). */
  readonly maxInflatedBytes: number;
  /** Shared strings are held in memory while the sheet streams; over this → FILE_TOO_LARGE. */
  readonly maxSharedStringsBytes: number;
}

/** Package metadata parts are small; this keeps a hostile one from being read into memory. */
const MAX_METADATA_PART_BYTES = 8 * 1024 * 1024;

const SAVE_AGAIN =
  'The file is damaged; open it in Excel and save it again as .xlsx (or as CSV UTF-8), then upload the new file.';
const SAVE_AS_XLSX_OR_CSV =
  'Open the file in its application and save or export it as an Excel Workbook (.xlsx) or as CSV UTF-8, then upload that file.';

/**
 * Checks an OOXML package is a plain workbook (no macros, not binary, not another kind of Office
 * document), and finds the sheet to read: the one named Users (any case), else the first visible
 * worksheet. Everything this inflates, and what the reader will inflate after it, is checked
 * against the limits first, by the sizes the archive declares (which inflation then holds it to).
 *
 * The handful of package parts read here are small machine-written XML; their elements are picked
 * out with patterns rather than with an XML parser, which this project does not otherwise need.
 */
export async function locateUsersSheet(archive: ZipArchive, limits: InflationLimits): Promise<UsersSheet> {
  for (const name of archive.names) {
    if (/(^|\/)vbaProject\.bin$/i.test(name) || /^xl\/macrosheets\//i.test(name)) throw macroWorkbook();
  }
  const contentTypes = await readPart(archive, '[Content_Types].xml');
  if (contentTypes === undefined) throw notAWorkbook(await describeNonOfficeZip(archive));
  if (/spreadsheetml\.sheet\.binary|ms-excel\.sheet\.binary/i.test(contentTypes)) {
    throw new FileRejectedError(
      'UNSUPPORTED_FILE_TYPE',
      'The file is an Excel Binary Workbook (.xlsb), which is not accepted.',
      SAVE_AS_XLSX_OR_CSV,
    );
  }
  if (/macroEnabled/i.test(contentTypes)) throw macroWorkbook();
  if (!/spreadsheetml\.(sheet|template)\.main\+xml/i.test(contentTypes)) {
    throw notAWorkbook(
      'It is an Office document of another kind, such as a Word document or a presentation.',
    );
  }

  const workbookPath = relationships(await requirePart(archive, '_rels/.rels'), '').find((relationship) =>
    relationship.type.endsWith('/officeDocument'),
  )?.target;
  if (workbookPath === undefined) throw corrupt('The workbook has no main part.');
  const workbookXml = await requirePart(archive, workbookPath);
  const workbookDirectory = posix.dirname(workbookPath);
  const related = relationships(
    await requirePart(
      archive,
      posix.join(workbookDirectory, '_rels', `${posix.basename(workbookPath)}.rels`),
    ),
    workbookDirectory,
  );
  const byId = new Map(related.map((relationship) => [relationship.id, relationship]));
  const worksheets = elements(workbookXml, 'sheet').flatMap((sheet) => {
    const relationship = byId.get(attribute(sheet, 'id') ?? '');
    return relationship?.type.endsWith('/worksheet')
      ? [
          {
            name: attribute(sheet, 'name') ?? '',
            state: attribute(sheet, 'state'),
            path: relationship.target,
          },
        ]
      : [];
  });
  const chosen =
    worksheets.find((sheet) => sheet.name.trim().toLowerCase() === 'users') ??
    worksheets.find((sheet) => sheet.state !== 'hidden' && sheet.state !== 'veryHidden') ??
    worksheets[0];
  if (!chosen) {
    throw new FileRejectedError(
      'UNSUPPORTED_FILE_TYPE',
      'The workbook has no worksheet to read users from (only charts or dialogs).',
      'Put the users on a worksheet named Users, starting from the template, and upload the file again.',
    );
  }
  const worksheet = archive.entry(chosen.path);
  if (!worksheet) throw corrupt(`The workbook lists sheet "${chosen.name}" but does not contain it.`);
  const partOfType = (type: string) => {
    const path = related.find((relationship) => relationship.type.endsWith(type))?.target;
    return path === undefined ? undefined : archive.entry(path);
  };
  const sheet: UsersSheet = {
    name: chosen.name,
    worksheet,
    styles: partOfType('/styles'),
    sharedStrings: partOfType('/sharedStrings'),
    date1904: ['1', 'true'].includes(
      attribute(elements(workbookXml, 'workbookPr')[0] ?? {}, 'date1904') ?? '',
    ),
  };
  checkLimits(sheet, limits);
  return sheet;
}

function checkLimits(sheet: UsersSheet, limits: InflationLimits): void {
  if ((sheet.sharedStrings?.uncompressedSize ?? 0) > limits.maxSharedStringsBytes) {
    throw tooLarge(
      `The workbook holds more than ${megabytes(limits.maxSharedStringsBytes)} of text in its cells.`,
    );
  }
  const total = [sheet.worksheet, sheet.styles, sheet.sharedStrings].reduce(
    (sum, part) => sum + (part?.uncompressedSize ?? 0),
    0,
  );
  if (total > limits.maxInflatedBytes) {
    throw tooLarge(
      `Unpacked, the sheet "${sheet.name}" would take more than ${megabytes(limits.maxInflatedBytes)}.`,
    );
  }
}

async function readPart(archive: ZipArchive, path: string): Promise<string | undefined> {
  const entry = archive.entry(path);
  if (!entry) return undefined;
  if (entry.uncompressedSize > MAX_METADATA_PART_BYTES) {
    throw tooLarge(`The workbook's ${path} part is larger than any workbook needs.`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of archive.inflate(entry)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function requirePart(archive: ZipArchive, path: string): Promise<string> {
  const text = await readPart(archive, path);
  if (text === undefined) throw corrupt(`The workbook is missing its ${path} part.`);
  return text;
}

async function describeNonOfficeZip(archive: ZipArchive): Promise<string> {
  const mimetype = await readPart(archive, 'mimetype');
  if (mimetype?.includes('opendocument.spreadsheet')) return 'It is an OpenDocument spreadsheet (.ods).';
  return 'It is a zip archive of some other kind.';
}

interface Relationship {
  readonly id: string;
  readonly type: string;
  /** The target part's path inside the package. */
  readonly target: string;
}

function relationships(xml: string, sourceDirectory: string): Relationship[] {
  return elements(xml, 'Relationship').flatMap((element) => {
    const id = attribute(element, 'Id');
    const type = attribute(element, 'Type');
    const target = attribute(element, 'Target');
    if (id === undefined || type === undefined || target === undefined) return [];
    if (attribute(element, 'TargetMode') === 'External') return [];
    // Targets are relative to the source part's folder, or absolute from the package root.
    const path = target.startsWith('/') ? target.slice(1) : posix.join(sourceDirectory, target);
    return [{ id, type, target: posix.normalize(path) }];
  });
}

type Attributes = Readonly<Record<string, string>>;

/** The attributes of every `<localName …>` element, whatever its namespace prefix. */
function elements(xml: string, localName: string): Attributes[] {
  const pattern = new RegExp(`<(?:[\\w.-]+:)?${localName}\\s((?:[^>"']|"[^"]*"|'[^']*')*)>`, 'g');
  return [...xml.matchAll(pattern)].map((match) => {
    const attributes: Record<string, string> = {};
    for (const [, name, doubleQuoted, singleQuoted] of (match[1] ?? '').matchAll(
      /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g,
    )) {
      if (name !== undefined) attributes[name] = decodeXmlText(doubleQuoted ?? singleQuoted ?? '');
    }
    return attributes;
  });
}

/** An attribute by local name: `id` finds `r:id`, whatever the prefix. */
function attribute(attributes: Attributes, localName: string): string | undefined {
  if (localName in attributes) return attributes[localName];
  const prefixed = Object.keys(attributes).find((name) => name.endsWith(`:${localName}`));
  return prefixed === undefined ? undefined : attributes[prefixed];
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (entity, name: string) => {
    if (!name.startsWith('#')) return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
    const codePoint = /^#x/i.test(name)
      ? Number.parseInt(name.slice(2), 16)
      : Number.parseInt(name.slice(1), 10);
    return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
  });
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

function tooLarge(message: string): FileRejectedError {
  return new FileRejectedError(
    'FILE_TOO_LARGE',
    message,
    'Split the users over several files (at most 100,000 rows each) and remove other sheets, pictures and formatting, or save the users as CSV UTF-8.',
  );
}

function corrupt(message: string): FileRejectedError {
  return new FileRejectedError('CORRUPT_FILE', message, SAVE_AGAIN);
}

function notAWorkbook(detail: string): FileRejectedError {
  return new FileRejectedError(
    'UNSUPPORTED_FILE_TYPE',
    `The file is not an Excel workbook. ${detail}`,
    SAVE_AS_XLSX_OR_CSV,
  );
}
