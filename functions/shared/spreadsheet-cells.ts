/**
 * What a spreadsheet may run as a formula when it opens a file (CSV injection): a cell starting
 * with `=`, `+`, `-` or `@` (OWASP's list, `-` and `+` included because Excel evaluates `-2+3`
 * and `+1+1`), or their full-width forms, which some locales' Excel converts as it reads, even
 * behind leading spaces, line breaks or control characters; and, per OWASP, a leading tab or
 * carriage return.
 */
const FORMULA_START = /^(?:[\t\r]|[\s\p{Cc}]*[=+\-@＝＋－＠])/u;

/**
 * The cell as text a spreadsheet shows and never runs: prefixed with an apostrophe when it could
 * start a formula (OWASP's neutralisation; the apostrophe is Excel's own "this is text" mark).
 * For files written for people to open (reports, exports), never for stored data.
 */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}
