/**
 * Every HTTP route of Muster, read by both the CDK API construct and the local API front, so
 * the two can never disagree. Paths use API Gateway's `{param}` syntax.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

import type { ResourceAccess } from './resource-access';

export type { ResourceAccess };

export interface RouteDefinition {
  readonly method: HttpMethod;
  readonly path: string;
  /** Handler module, relative to the repository root, and the export that is the Lambda handler. */
  readonly entry: string;
  readonly export: string;
  /** `public` skips the authorizer; `principal` requires a bearer token or a session cookie. */
  readonly auth: 'public' | 'principal';
  readonly access: readonly ResourceAccess[];
}

export const ROUTES: readonly RouteDefinition[] = [
  {
    method: 'GET',
    path: '/health',
    entry: 'functions/health/handlers/health.ts',
    export: 'handler',
    auth: 'public',
    access: [],
  },
  {
    method: 'GET',
    path: '/v1/me',
    entry: 'functions/identity/handlers/me.ts',
    export: 'getMe',
    auth: 'principal',
    access: ['table:read'],
  },
  {
    method: 'PATCH',
    path: '/v1/me',
    entry: 'functions/identity/handlers/me.ts',
    export: 'patchMe',
    auth: 'principal',
    access: ['table:read', 'table:write', 'bus:publish'],
  },
];

/** The REQUEST authorizer in front of every `principal` route. */
export const AUTHORIZER = { entry: 'functions/auth/handlers/authorizer.ts', export: 'handler' } as const;

/** API Gateway's own limit on a request payload; the local front enforces the same. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
