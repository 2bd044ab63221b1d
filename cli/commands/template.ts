import { writeFile } from 'node:fs/promises';
import type { Invocation } from '../args';
import { type CommandContext, print } from '../context';

const DEFAULT_XLSX_FILE = 'muster-import-template.xlsx';

/** `muster template`: the CSV on stdout (or in --out), the workbook always in a file. */
export async function template(
  context: CommandContext,
  invocation: Extract<Invocation, { command: 'template' }>,
): Promise<number> {
  const bytes = await context.api.template(invocation.format);
  const file = invocation.out ?? (invocation.format === 'xlsx' ? DEFAULT_XLSX_FILE : undefined);
  if (file === undefined) {
    const csv = new TextDecoder().decode(bytes);
    print(context, { format: 'csv', content: csv }, () => csv.trimEnd());
    return 0;
  }
  await writeFile(file, bytes);
  print(
    context,
    { format: invocation.format, file, bytes: bytes.byteLength },
    () => `wrote ${file} (${bytes.byteLength} bytes)`,
  );
  return 0;
}
