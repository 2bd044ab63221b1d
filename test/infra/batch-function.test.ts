import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AUTHORIZER, BATCHABLE_ROUTES, ROUTES } from '../../config/routes';
import { ApiConstruct } from '../../lib/api/api-construct';
import {
  allowedActions,
  createTestStack,
  defined,
  environmentOf,
  logicalIdOf,
  sharedResources,
} from './support';

/** The `$batch` function alone, beside the routes it runs, so each one's grants can be compared. */
function synthesize() {
  const stack = createTestStack();
  const { resources } = sharedResources(stack, 'dev');
  const batch = defined(
    ROUTES.find((route) => route.path === '/api/v1/$batch'),
    'the $batch route',
  );
  const api = new ApiConstruct(stack, 'Api', {
    resources,
    routes: [...BATCHABLE_ROUTES, batch],
    authorizer: AUTHORIZER,
  });
  const functionOf = (method: string, path: string) =>
    defined(api.routeFunctions.get(`${method} ${path}`), `${method} ${path}`);
  return { template: Template.fromStack(stack), functionOf };
}

const { template, functionOf } = synthesize();
const batchFunction = functionOf('POST', '/api/v1/$batch');

describe('the $batch function', () => {
  it('may do what each route it runs may do, since it runs them in its own invocation', () => {
    const granted = new Set(allowedActions(template, batchFunction));
    // Its own needs too: quota counters (UpdateItem) and idempotency records (put when a request
    // starts, updated when it succeeds, deleted when it fails so that it may be retried).
    expect([...granted]).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'events:PutEvents',
      ]),
    );
    for (const route of BATCHABLE_ROUTES) {
      const needed = allowedActions(template, functionOf(route.method, route.path));
      expect(
        needed.filter((action) => !granted.has(action)),
        `${route.method} ${route.path}`,
      ).toEqual([]);
    }
  });

  it('may do nothing beyond the table and the bus: no bucket, workflow or mail', () => {
    const actions = allowedActions(template, batchFunction);
    expect(actions.filter((action) => !/^(dynamodb|events|xray):/.test(action))).toEqual([]);
    expect(
      actions.filter((action) => /^dynamodb:(DeleteTable|CreateTable|UpdateTable)/.test(action)),
    ).toEqual([]);
  });

  it('gets what its routes read at cold start, and its quota', () => {
    expect(environmentOf(template, batchFunction)).toEqual(
      expect.objectContaining({
        TABLE_NAME: expect.anything(),
        EVENT_BUS_NAME: expect.anything(),
        MUSTER_RATE_LIMIT_RPM: '600',
        MUSTER_TENANT_RATE_LIMIT_RPM: '6000',
      }),
    );
  });
  it("has the time of up to 20 requests one after another, within API Gateway's 29 s; other routes keep the default", () => {
    const timeoutOf = (fn: typeof batchFunction) =>
      template.toJSON().Resources[logicalIdOf(fn)].Properties.Timeout;
    expect(timeoutOf(batchFunction)).toBe(25);
    expect(timeoutOf(functionOf('POST', '/v1/admin/users'))).toBe(10);
  });
});
