import { z } from 'zod';

/**
 * Deliberate failures for chaos tests (seed 000: "chaos inject storage/notification failures").
 * `MUSTER_CHAOS` holds a list of `{point, tenantId, afterRow, times}`, at most one per tenant: the
 * named point throws, for that tenant, once it passes that row, at most `times` times per process.
 * Keyed by tenant so that chaos tests running side by side never arm or disarm each other's. Unset
 * (as every deployed environment leaves it), nothing happens. Read on each call, so a test can arm
 * and disarm it on a running stack.
 */
const chaosSchema = z.object({
  point: z.string(),
  tenantId: z.string(),
  afterRow: z.number().int(),
  times: z.number().int().min(1).default(1),
  /** When it was armed: arming the same fault again starts its count again. */
  armedAt: z.number().optional(),
});
const armedSchema = z.array(chaosSchema);

const injected = new Map<string, number>();

export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

export function injectedFault(point: string, tenantId: string, row: number): void {
  const raw = process.env.MUSTER_CHAOS;
  if (!raw) return;
  const armed = armedSchema.safeParse(JSON.parse(raw));
  if (!armed.success) return;
  const chaos = armed.data.find((fault) => fault.tenantId === tenantId && fault.point === point);
  if (!chaos || row < chaos.afterRow) return;
  const key = JSON.stringify(chaos);
  const count = injected.get(key) ?? 0;
  if (count >= chaos.times) return;
  injected.set(key, count + 1);
  throw new InjectedFault(`Chaos: ${point} failed after row ${row}`);
}
