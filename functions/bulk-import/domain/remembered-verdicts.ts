/**
 * A file repeats the same few locales, start dates and switchboard numbers on thousands of rows,
 * and judging one can cost microseconds (Intl, libphonenumber's metadata): each distinct value is
 * judged once and its verdict remembered, up to `limit` of them, forgetting the oldest first so
 * a file of all-distinct values costs a bounded amount of memory.
 */
export function rememberVerdicts<Verdict>(
  judge: (value: string) => Verdict,
  limit: number,
): (value: string) => Verdict {
  // Boxed, so a verdict that is itself undefined (a locale without a region) is remembered too.
  const verdicts = new Map<string, { readonly verdict: Verdict }>();
  return (value) => {
    const known = verdicts.get(value);
    if (known !== undefined) return known.verdict;
    const verdict = judge(value);
    if (verdicts.size >= limit) {
      const oldest = verdicts.keys().next();
      if (!oldest.done) verdicts.delete(oldest.value);
    }
    verdicts.set(value, { verdict });
    return verdict;
  };
}
