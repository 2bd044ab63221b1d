import type { Client } from 'openapi-fetch';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { components, paths } from '../../../clients/muster-api';
import { ApiError, problemOf, unwrap } from '../../../web/src/lib/api-answer';

/** The console's client, as a type only: these calls are never made, their types are the test. */
declare const api: Client<paths>;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function problemOfCall(call: Promise<{ readonly error: unknown; readonly response: Response }>) {
  return problemOf(await unwrap(call).catch((error: unknown) => error));
}

describe('unwrap', () => {
  it('takes its result type from the call: no type argument, and a contract change reaches the caller', () => {
    const readMe = () => unwrap(api.GET('/v1/me'));
    expectTypeOf(readMe).returns.resolves.toEqualTypeOf<components['schemas']['Me']>();
    const listBundles = () => unwrap(api.GET('/internal/iam/bundles'));
    expectTypeOf(listBundles).returns.resolves.toEqualTypeOf<{ items: components['schemas']['Bundle'][] }>();
    const decide = () =>
      unwrap(
        api.POST('/internal/approvals/{approvalId}/decision', {
          params: { path: { approvalId: 'a' } },
          body: { decision: 'APPROVE' },
        }),
      );
    expectTypeOf(decide).returns.resolves.toEqualTypeOf<components['schemas']['Approval']>();
  });

  it('resolves the body of a success', async () => {
    const body = { items: [], nextToken: 'next' };
    await expect(unwrap(Promise.resolve({ data: body, response: json(200, body) }))).resolves.toBe(body);
  });

  it('rejects a failure with the problem its error envelope describes', async () => {
    const envelope = {
      error: { code: 'VERSION_MISMATCH', message: 'Read it again and retry.' },
      correlationId: 'c-1',
    };
    const problem = await problemOfCall(Promise.resolve({ error: envelope, response: json(412, envelope) }));
    expect(problem).toMatchObject({
      status: 412,
      code: 'VERSION_MISMATCH',
      message: 'Read it again and retry.',
      correlationId: 'c-1',
    });
  });

  it('rejects a call that never got an answer as a network error', async () => {
    const problem = await problemOfCall(Promise.reject(new TypeError('Failed to fetch')));
    expect(problem).toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
  });

  it('rejects a success without its body (an empty answer from a proxy) instead of resolving undefined', async () => {
    const rejected = await unwrap(
      Promise.resolve({ data: undefined, response: new Response(null, { status: 200 }) }),
    ).catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(ApiError);
    expect(problemOf(rejected)).toMatchObject({ status: 200, code: 'EMPTY_RESPONSE' });
  });
});
