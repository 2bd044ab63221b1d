import { z } from 'zod';
import { type ImportIssue, ISSUE_CODES, type IssueCode } from '../domain/issues';

const issueCodes = Object.keys(ISSUE_CODES) as [IssueCode, ...IssueCode[]];

/** One validation issue as stored in a task's issues file (JSON Lines, in row order). */
export const issueLineSchema = z.object({
  row: z.number().int().nullable(),
  column: z.string().nullable(),
  code: z.enum(issueCodes),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  suggestion: z.string(),
}) satisfies z.ZodType<ImportIssue>;

export function parseIssueLine(line: string): ImportIssue {
  return issueLineSchema.parse(JSON.parse(line));
}
