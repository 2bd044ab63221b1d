import { describe, expect, it } from 'vitest';
import { functionNameOf, lambdaContext } from '../../../local/lambda/handlers';

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
  it('counts the remaining time down from the timeout', () => {
    const context = lambdaContext(
      { entry: 'functions/health/handlers/health.ts', export: 'handler' },
      29_000,
    );
    expect(context.functionName).toBe('health-health');
    expect(context.invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:000000000000:function:health-health');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(28_000);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(29_000);
  });
});
