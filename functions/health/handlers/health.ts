import { publicRoute } from '../../shared/http/api-route';

/** Liveness for load balancers and the local stack's readiness: answers without touching any store. */
export const handler = publicRoute({ operation: 'Health' }, async () => ({
  statusCode: 200,
  body: { status: 'ok' },
}));
