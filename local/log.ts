/**
 * The local stack's own output: quiet unless something needs the developer's attention (a
 * handler that failed, an event dead-lettered). Handlers log through Powertools as in AWS.
 */
export const log = {
  warn(message: string): void {
    console.warn(`[muster-local] ${message}`);
  },
  error(message: string, error: unknown): void {
    console.error(`[muster-local] ${message}`, error);
  },
};
