// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the snippets are source code for the audit to read
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRepositoryRoot } from '../../../lib/shared/repository';
import { auditExpressions } from '../../support/expression-audit';

function typescriptFilesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return typescriptFilesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function auditSnippet(code: string) {
  return auditExpressions(new Map([['snippet.ts', code]]));
}

describe('DynamoDB expressions in functions/', () => {
  it('are built from constant text and #name / :value placeholders only', () => {
    const root = fromRepositoryRoot('functions');
    const sources = new Map(
      typescriptFilesUnder(root).map((path) => [relative(root, path), readFileSync(path, 'utf8')]),
    );
    const audit = auditExpressions(sources);
    expect(audit.findings).toEqual([]);
    // The scan reached the repositories' expressions (59 when this was written), not nothing.
    expect(audit.checked).toBeGreaterThanOrEqual(59);
  });
});

describe('the expression audit', () => {
  it.each([
    ['a value interpolated', 'FilterExpression: `#status = ${status}`'],
    ['a value quoted into a key condition', "KeyConditionExpression: `PK = '${tenantId}'`"],
    ['a value concatenated', "ConditionExpression: 'version = ' + expected"],
    ['a parameter from the caller', 'UpdateExpression: `SET ${assignments}`'],
    ['map elements as placeholders', "ProjectionExpression: fields.map((field) => `#${field}`).join(', ')"],
    [
      'an index outside a placeholder name',
      "UpdateExpression: `SET ${xs.map((_, i) => `#f = ${i}`).join(',')}`",
    ],
  ])('finds %s', (_label, field) => {
    const audit = auditSnippet(
      `export function update(status: string, tenantId: string, expected: number, assignments: string, fields: string[], xs: string[]) {
         return { ${field} };
       }`,
    );
    expect(audit.checked).toBe(1);
    expect(audit.findings).toHaveLength(1);
  });

  it('finds a value that reaches a local helper from one of its callers', () => {
    const audit = auditSnippet(`
      function unchanged(name: string, placeholder: string) {
        return { condition: \`\${name} = \${placeholder}\` };
      }
      export function write(stored: string) {
        const safe = unchanged('#a', ':a');
        const unsafe = unchanged('#b', stored);
        return [{ ConditionExpression: safe.condition }, { ConditionExpression: unsafe.condition }];
      }`);
    expect(audit.checked).toBe(2);
    expect(audit.findings.map((finding) => finding.line)).toEqual([8, 8]);
  });

  it('accepts the shapes the repositories use', () => {
    const audit = auditSnippet(`
      function setAll(item: Record<string, unknown>) {
        const entries = Object.entries(item);
        return { set: entries.map((_, index) => \`#a\${index} = :a\${index}\`).join(', ') };
      }
      function unchanged(name: string, placeholder: string, value: string | undefined) {
        return value === undefined ? { condition: \`attribute_not_exists(\${name})\` } : { condition: \`\${name} = \${placeholder}\` };
      }
      export function write(item: Record<string, unknown>, roles: string[] | undefined, from: string[], at?: string) {
        const { set } = setAll(item);
        const assignment = roles ? ', #roles = :roles' : '';
        const reminded = unchanged('#reminded', ':fromReminded', at);
        const update = roles ? { expression: 'SET #r = :r' } : { expression: 'REMOVE #r' };
        const KeyConditionExpression = 'PK = :pk AND begins_with(SK, :prefix)';
        return {
          KeyConditionExpression,
          UpdateExpression: \`SET \${set}\${assignment}\`,
          ConditionExpression: 'attribute_exists(PK) AND ' + \`#status IN (\${from.map((_, i) => \`:from\${i}\`).join(', ')})\` + \` AND \${reminded.condition}\`,
          FilterExpression: update.expression,
        };
      }`);
    expect(audit.checked).toBe(4);
    expect(audit.findings).toEqual([]);
  });
});
