/**
 * A file repeats the same few locales, start dates and switchboard numbers on thousands of rows,
 * and judging one can cost microseconds (Intl, libphonenumber's metadata): each distinct question
 * is judged once and its verdict remembered, up to `limit` of them, forgetting the oldest first so
 * a file of all-distinct values costs a bounded amount of memory.
 */
export function rememberVerdicts<Question extends readonly unknown[], Verdict>(
  judge: (...question: Question) => Verdict,
  { limit, keyOf }: { readonly limit: number; readonly keyOf: (...question: Question) => string },
): (...question: Question) => Verdict {
  // Boxed, so a verdict that is itself undefined (a locale without a region) is remembered too.
  const verdicts = new Map<string, { readonly verdict: Verdict }>();
  return (...question) => {
    const key = keyOf(...question);
    const known = verdicts.get(key);
    if (known !== undefined) return known.verdict;
    const verdict = judge(...question);
    if (verdicts.size >= limit) {
      const oldest = verdicts.keys().next();
      if (!oldest.done) verdicts.delete(oldest.value);
    }
    verdicts.set(key, { verdict });
    return verdict;
  };
}

/** The key of a question that is a single string: itself. */
export const asKey = (value: string): string => value;
