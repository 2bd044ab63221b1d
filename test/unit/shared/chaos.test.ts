import { afterEach, describe, expect, it, vi } from 'vitest';
import { InjectedFault, injectedFault } from '../../../functions/shared/chaos';

afterEach(() => vi.unstubAllEnvs());

describe('injectedFault', () => {
  it('does nothing unless armed', () => {
    expect(() => injectedFault('provision-batch', 'acme', 100)).not.toThrow();
  });

  it('fails the armed point for the armed tenant after the given row, as many times as asked', () => {
    vi.stubEnv(
      'MUSTER_CHAOS',
      JSON.stringify([
        { point: 'provision-batch', tenantId: 'acme', afterRow: 5, times: 2 },
        { point: 'finalize', tenantId: 'globex', afterRow: 0, times: 1 },
      ]),
    );
    expect(() => injectedFault('provision-batch', 'acme', 4)).not.toThrow();
    expect(() => injectedFault('notify-batch', 'acme', 9)).not.toThrow();
    expect(() => injectedFault('provision-batch', 'globex', 9)).not.toThrow();
    expect(() => injectedFault('provision-batch', 'acme', 5)).toThrow(InjectedFault);
    expect(() => injectedFault('provision-batch', 'acme', 6)).toThrow(InjectedFault);
    expect(() => injectedFault('provision-batch', 'acme', 7)).not.toThrow();
    expect(() => injectedFault('finalize', 'acme', 0)).not.toThrow();
    expect(() => injectedFault('finalize', 'globex', 0)).toThrow(InjectedFault);
  });
});
