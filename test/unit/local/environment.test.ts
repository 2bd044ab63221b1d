import { describe, expect, it } from 'vitest';
import { FLAG_NAMES, flagEnvName, readFlags } from '../../../functions/shared/flags';
import { handlerEnvironment } from '../../../local/environment';

const endpoints = {
  dynamodb: 'http://127.0.0.1:1',
  s3: 'http://127.0.0.1:2',
  ses: 'http://127.0.0.1:3',
  sfn: 'http://127.0.0.1:4',
  eventbridge: 'http://127.0.0.1:5',
};
const issuer = {
  issuer: 'http://127.0.0.1:3000/_local',
  jwksUrl: 'http://127.0.0.1:3000/_local/.well-known/jwks.json',
};

describe('handlerEnvironment', () => {
  it('points the SDK at the local engines through its service-specific endpoint variables', () => {
    expect(handlerEnvironment(endpoints, issuer, {})).toMatchObject({
      MUSTER_ENV: 'local',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_S3: endpoints.s3,
      AWS_ENDPOINT_URL_SESV2: endpoints.ses,
      AWS_ENDPOINT_URL_SFN: endpoints.sfn,
      AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
      OIDC_ISSUER: issuer.issuer,
      OIDC_JWKS_URL: issuer.jwksUrl,
      OIDC_AUDIENCE: 'muster-api',
      TABLE_NAME: 'muster-local',
      EVENT_BUS_NAME: 'muster-local',
    });
  });

  it('turns every feature flag on by default', () => {
    const env = handlerEnvironment(endpoints, issuer, {});
    expect(Object.values(readFlags(env)).every(Boolean)).toBe(true);
    expect(Object.keys(readFlags(env))).toEqual([...FLAG_NAMES]);
  });

  it('keeps flags and log settings the developer set, and nothing else of theirs', () => {
    const env = handlerEnvironment(endpoints, issuer, {
      USER_MGMT_CORE: 'off',
      LOG_LEVEL: 'DEBUG',
      TABLE_NAME: 'someone-elses-table',
      AWS_REGION: 'eu-west-1',
    });
    expect(readFlags(env).user_mgmt_core).toBe(false);
    expect(env[flagEnvName('user-bulk-import')]).toBe('true');
    expect(env.LOG_LEVEL).toBe('DEBUG');
    expect(env.TABLE_NAME).toBe('muster-local');
    expect(env.AWS_REGION).toBe('us-east-1');
  });

  it('keeps start-up output readable unless asked otherwise', () => {
    expect(handlerEnvironment(endpoints, issuer, {})).toMatchObject({
      LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
  });
});
