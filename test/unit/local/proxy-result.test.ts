import { describe, expect, it } from 'vitest';
import { replyFromProxyResult } from '../../../local/api/proxy-result';

describe('replyFromProxyResult', () => {
  it('turns a proxy result into the HTTP answer', () => {
    expect(
      replyFromProxyResult({
        statusCode: 201,
        headers: { 'Content-Type': 'application/json' },
        body: '{"a":1}',
      }),
    ).toEqual({
      statusCode: 201,
      headers: { 'content-type': ['application/json'] },
      body: Buffer.from('{"a":1}'),
    });
  });

  it('merges multiValueHeaders with headers, sending a value given in both once', () => {
    const reply = replyFromProxyResult({
      statusCode: 200,
      headers: { 'set-cookie': 'a=1', 'x-count': 2, 'x-flag': true },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: '',
    });
    expect(reply?.headers).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'x-count': ['2'], 'x-flag': ['true'] });
  });

  it('decodes a base64 body', () => {
    const bytes = Buffer.from([1, 2, 3, 255]);
    const reply = replyFromProxyResult({
      statusCode: 200,
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    expect(reply?.body).toEqual(bytes);
  });

  it('accepts a result without a body', () => {
    expect(replyFromProxyResult({ statusCode: 204 })?.body).toEqual(Buffer.alloc(0));
  });

  it('rejects what API Gateway would call a malformed proxy response', () => {
    for (const malformed of [
      undefined,
      null,
      'ok',
      { body: 'no status' },
      { statusCode: '200', body: '' },
      { statusCode: 200, body: { not: 'a string' } },
      { statusCode: 200, headers: { nested: { no: 1 } } },
      { statusCode: 99 },
    ]) {
      expect(replyFromProxyResult(malformed), JSON.stringify(malformed)).toBeUndefined();
    }
  });
});
