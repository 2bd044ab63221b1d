import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { lambdaContext } from '../../../local/lambda/context';
import {
  createHandlerLoader,
  functionNameOf,
  type ImportModule,
  repositoryModuleImporter,
} from '../../../local/lambda/handlers';

describe('functionNameOf', () => {
  it('names a function after its module and export, as a readable stand-in for the CDK name', () => {
    expect(functionNameOf({ entry: 'functions/identity/handlers/me.ts', export: 'getMe' })).toBe(
      'identity-me-getMe',
    );
    expect(functionNameOf({ entry: 'functions/health/handlers/health.ts', export: 'handler' })).toBe(
      'health-health',
    );
  });
});

describe('lambdaContext', () => {
  it('names the function and counts the remaining time down from the timeout', () => {
    const context = lambdaContext({
      functionName: 'health-health',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:health-health',
      timeoutMs: 29_000,
    });
    expect(context.functionName).toBe('health-health');
    expect(context.invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:000000000000:function:health-health');
    expect(context.logGroupName).toBe('/aws/lambda/health-health');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(28_000);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(29_000);
    expect(() => context.succeed('callback style')).toThrow(/return a promise/);
  });
});

describe('createHandlerLoader', () => {
  const greet = async () => 'hello';
  const reference = { entry: 'functions/greet.ts', export: 'greet' };

  it('imports each module once, like a warm container, whatever export is asked for', async () => {
    const importModule = vi.fn<ImportModule>(async () => ({ greet, other: greet }));
    const load = createHandlerLoader(importModule);
    await Promise.all([load(reference), load(reference), load({ ...reference, export: 'other' })]);
    expect(await load(reference)).toBe(greet);
    expect(importModule).toHaveBeenCalledTimes(1);
  });

  it('forgets a failed import and imports afresh on the next invocation, as Lambda retries a failed init', async () => {
    const importModule = vi
      .fn<ImportModule>()
      .mockRejectedValueOnce(new Error('Invalid configuration: TABLE_NAME: is required'))
      .mockResolvedValue({ greet });
    const load = createHandlerLoader(importModule);
    await expect(load(reference)).rejects.toThrow(/Invalid configuration/);
    expect(await load(reference)).toBe(greet);
    expect(await load(reference)).toBe(greet);
    // The retry asks for another evaluation: Node would hand back the failed module otherwise.
    expect(importModule.mock.calls).toEqual([
      [reference.entry, 0],
      [reference.entry, 1],
    ]);
  });

  it('refuses an export that is not a function', async () => {
    const load = createHandlerLoader(async () => ({ greet: 'not a function' }));
    await expect(load(reference)).rejects.toThrow('functions/greet.ts has no function export named "greet"');
  });
});

describe('repositoryModuleImporter', () => {
  it('evaluates a module again on a retry, which a plain re-import would not', async () => {
    const root = mkdtempSync(join(tmpdir(), 'muster-loader-'));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const counter = `muster_loader_test_${Date.now()}`;
    writeFileSync(
      join(root, 'flaky.mjs'),
      `globalThis.${counter} = (globalThis.${counter} ?? 0) + 1;\n` +
        `if (globalThis.${counter} === 1) throw new Error('first cold start fails');\n` +
        'export const handler = async () => "warm";\n',
    );
    const load = createHandlerLoader(repositoryModuleImporter(root));
    const reference = { entry: 'flaky.mjs', export: 'handler' };
    await expect(load(reference)).rejects.toThrow('first cold start fails');
    const handler = await load(reference);
    expect(
      await handler({}, lambdaContext({ functionName: 'f', invokedFunctionArn: 'arn', timeoutMs: 1 })),
    ).toBe('warm');
  });
});
