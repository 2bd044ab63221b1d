import { z } from 'zod';

/**
 * Deliberate failures for chaos tests (seed 000: "chaos inject storage/notification failures").
 * `MUSTER_CHAOS` holds `{point, tenantId, afterRow, times}`: the named point throws, for that tenant, once it passes that row,
 * at most `times` times per process. The points: `provision-batch` (after a row's writes, before
 * its batch's outcome is recorded) and `finalize` (the workflow's Finalize step, before it ends
 * the run; row 0). Unset — as every deployed environment leaves it — nothing
 * happens. Read on each call, so a test can arm and disarm it on a running stack.
 */
const chaosSchema = z.object({
  point: z.string(),
  /** Only this tenant's work fails, so a chaos test never hits another tenant's import running beside it. */
  tenantId: z.string(),
  afterRow: z.number().int(),
  times: z.number().int().min(1).default(1),
});

const injected = new Map<string, number>();

export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

export function injectedFault(point: string, tenantId: string, row: number): void {
  const raw = process.env.MUSTER_CHAOS;
  if (!raw) return;
  const chaos = chaosSchema.safeParse(JSON.parse(raw));
  if (
    !chaos.success ||
    chaos.data.point !== point ||
    chaos.data.tenantId !== tenantId ||
    row < chaos.data.afterRow
  ) {
    return;
  }
  const key = raw;
  const count = injected.get(key) ?? 0;
  if (count >= chaos.data.times) return;
  injected.set(key, count + 1);
  throw new InjectedFault(`Chaos: ${point} failed after row ${row}`);
}
