import { describe, expect, it } from 'vitest';
import { describeProblem, toApiProblem } from '../../../web/src/lib/api-error';
import { csrfHeaders, readCookie } from '../../../web/src/lib/csrf';

describe('readCookie', () => {
  it('finds a cookie among others, whatever the spacing', () => {
    expect(readCookie('a=1; muster_csrf=tok-123;b=2', 'muster_csrf')).toBe('tok-123');
    expect(readCookie('muster_csrf=first', 'muster_csrf')).toBe('first');
  });

  it('does not take a cookie whose name only ends or starts like the one asked', () => {
    expect(readCookie('xmuster_csrf=no; muster_csrf_old=no', 'muster_csrf')).toBeUndefined();
  });

  it('decodes a percent-encoded value and keeps one that is not encoded', () => {
    expect(readCookie('muster_csrf=a%2Bb%3D', 'muster_csrf')).toBe('a+b=');
    expect(readCookie('muster_csrf=100%', 'muster_csrf')).toBe('100%');
  });

  it('treats an empty value or no cookie as absent', () => {
    expect(readCookie('muster_csrf=', 'muster_csrf')).toBeUndefined();
    expect(readCookie('', 'muster_csrf')).toBeUndefined();
  });
});

describe('csrfHeaders', () => {
  const cookies = 'muster_session=opaque; muster_csrf=tok-9';

  it('echoes the CSRF cookie on every unsafe method', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'post']) {
      expect(csrfHeaders(method, cookies)).toEqual({ 'x-csrf-token': 'tok-9' });
    }
  });

  it('sends nothing on safe methods', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) expect(csrfHeaders(method, cookies)).toEqual({});
  });

  it('sends nothing without the cookie, leaving the server to say CSRF_TOKEN_MISSING', () => {
    expect(csrfHeaders('POST', 'muster_session=opaque')).toEqual({});
  });
});

describe('toApiProblem', () => {
  it('reads the envelope: code, message, details and correlation id', () => {
    const problem = toApiProblem(422, {
      error: {
        code: 'VALIDATION_FAILED',
        message: 'The request body is invalid.',
        details: [{ path: 'body.email', code: 'invalid_format', message: 'Not an email.' }, 'junk'],
      },
      correlationId: 'c-1',
    });
    expect(problem).toEqual({
      status: 422,
      code: 'VALIDATION_FAILED',
      message: 'The request body is invalid.',
      details: [{ path: 'body.email', code: 'invalid_format', message: 'Not an email.' }],
      correlationId: 'c-1',
    });
    expect(describeProblem(problem)).toBe('The request body is invalid. (reference c-1)');
  });

  it('gives a readable message for answers that are not the envelope', () => {
    expect(toApiProblem(401, '<html>')).toMatchObject({
      code: 'HTTP_401',
      message: expect.stringMatching(/sign in/i),
    });
    expect(toApiProblem(502, undefined)).toMatchObject({
      code: 'HTTP_502',
      message: expect.stringMatching(/our side/),
    });
    expect(toApiProblem(418, {})).toMatchObject({ code: 'HTTP_418', message: 'The request failed (418).' });
  });

  it('names a request that never reached the server', () => {
    const problem = toApiProblem(0, undefined);
    expect(problem.code).toBe('NETWORK_ERROR');
    expect(describeProblem(problem)).toMatch(/could not be reached/);
  });
});
