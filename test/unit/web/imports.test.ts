import { describe, expect, it } from 'vitest';
import {
  IMPORTS_PAGE_SIZE,
  importDuration,
  importsQuery,
  operatorLabel,
  statusLabel,
  taskSearchOf,
} from '../../../web/src/lib/imports';

describe('importsQuery', () => {
  it('asks for a page of every status, or of one, after the page before', () => {
    expect(importsQuery('', undefined)).toEqual({ limit: IMPORTS_PAGE_SIZE });
    expect(importsQuery('FAILED', 'abc.def')).toEqual({
      limit: IMPORTS_PAGE_SIZE,
      status: 'FAILED',
      nextToken: 'abc.def',
    });
  });
});

describe('statusLabel', () => {
  it.each([
    ['COMPLETED', 'Completed'],
    ['COMPLETED_WITH_ERRORS', 'Completed with errors'],
    ['VALIDATION_FAILED', 'Validation failed'],
  ] as const)('reads %s as %s', (status, label) => {
    expect(statusLabel(status)).toBe(label);
  });
});

describe('importDuration', () => {
  it.each([
    [{ status: 'VALIDATED', startedAt: undefined, durationSeconds: undefined }, '—'],
    [{ status: 'PROVISIONING', startedAt: '2026-11-22T09:00:00Z', durationSeconds: undefined }, 'running'],
    [
      { status: 'AWAITING_APPROVAL', startedAt: '2026-11-22T09:00:00Z', durationSeconds: undefined },
      'waiting for approval',
    ],
    [{ status: 'COMPLETED', startedAt: '2026-11-22T09:00:00Z', durationSeconds: 0.4 }, 'under 1 s'],
    [{ status: 'COMPLETED', startedAt: '2026-11-22T09:00:00Z', durationSeconds: 125.3 }, '2 min 5 s'],
  ] as const)('shows %j as %s', (item, text) => {
    expect(importDuration(item)).toBe(text);
  });
});

describe('operatorLabel', () => {
  it('names the operator by email, or by id once the directory has forgotten them', () => {
    expect(operatorLabel({ userId: 'u_1', email: 'ops@acme.test' })).toBe('ops@acme.test');
    expect(operatorLabel({ userId: 'u_1' })).toBe('u_1');
  });
});

describe('taskSearchOf', () => {
  it('names the task in the query the wizard reads', () => {
    expect(taskSearchOf('t_01abc')).toBe('?task=t_01abc');
    expect(new URLSearchParams(taskSearchOf('t_a&b=c')).get('task')).toBe('t_a&b=c');
  });
});
