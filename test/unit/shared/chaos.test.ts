import { afterEach, describe, expect, it, vi } from 'vitest';
import { InjectedFault, injectedFault } from '../../../functions/shared/chaos';

afterEach(() => vi.unstubAllEnvs());

describe('injectedFault', () => {
  it('does nothing unless armed', () => {
    expect(() => injectedFault('provision-batch', 100)).not.toThrow();
  });

  it('fails the armed point after the given row, as many times as asked, then never again', () => {
    vi.stubEnv(
      'MUSTER_CHAOS',
      JSON.stringify({ point: 'provision-batch', afterRow: 5, times: 2, seed: 'a' }),
    );
    expect(() => injectedFault('provision-batch', 4)).not.toThrow();
    expect(() => injectedFault('notify-batch', 9)).not.toThrow();
    expect(() => injectedFault('provision-batch', 5)).toThrow(InjectedFault);
    expect(() => injectedFault('provision-batch', 6)).toThrow(InjectedFault);
    expect(() => injectedFault('provision-batch', 7)).not.toThrow();
  });
});
