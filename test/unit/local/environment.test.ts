import { describe, expect, it } from 'vitest';
import { bulkImportEnvironment, loadBulkImportSettings } from '../../../config/bulk-import-settings';
import { loadEntitlementSettings } from '../../../config/entitlement-settings';
import { DEFAULT_REQUEST_QUOTA } from '../../../config/request-quota';
import { ACCESS_ENVIRONMENT, accessVariables, type ResourceAccess } from '../../../config/resource-access';
import { FLAG_NAMES, flagEnvName, readFlags } from '../../../functions/shared/flags';
import {
  configuredAccess,
  handlerEnvironment,
  type LocalWiring,
  terminalLogLevel,
} from '../../../local/environment';

const endpoints = {
  dynamodb: 'http://127.0.0.1:1',
  s3: 'http://127.0.0.1:2',
  ses: 'http://127.0.0.1:3',
  sfn: 'http://127.0.0.1:4',
  eventbridge: 'http://127.0.0.1:5',
};
const issuer = {
  issuer: 'http://127.0.0.1:4100/_local',
  jwksUrl: 'http://127.0.0.1:4100/_local/.well-known/jwks.json',
};
const bulkImport = loadBulkImportSettings();
const entitlements = loadEntitlementSettings();
const wiring: LocalWiring = {
  endpoints,
  issuer,
  apiUrl: 'http://127.0.0.1:4100',
  bulkImport,
  entitlements,
  requestQuota: DEFAULT_REQUEST_QUOTA,
};
const ALL_ACCESS = Object.keys(ACCESS_ENVIRONMENT) as ResourceAccess[];

describe('handlerEnvironment', () => {
  it('points the SDK at the local engines through its service-specific endpoint variables', () => {
    expect(handlerEnvironment(wiring, {})).toMatchObject({
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
    const env = handlerEnvironment(wiring, {});
    expect(Object.values(readFlags(env)).every(Boolean)).toBe(true);
    expect(Object.keys(readFlags(env))).toEqual([...FLAG_NAMES]);
  });

  it('keeps flags and log settings the developer set, and nothing else of theirs', () => {
    const env = handlerEnvironment(wiring, {
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

  it('names the resources of every kind of access config/resource-access.ts knows, as CDK does', () => {
    const env = handlerEnvironment(wiring, {}, ALL_ACCESS);
    expect(env).toMatchObject({
      TABLE_NAME: 'muster-local',
      EVENT_BUS_NAME: 'muster-local',
      UPLOADS_BUCKET: 'muster-uploads',
      REPORTS_BUCKET: 'muster-reports',
      MAIL_FROM_ADDRESS: 'no-reply@muster.local',
      ACTIVATION_URL_BASE: 'http://127.0.0.1:4100/activate',
      BULK_IMPORT_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:BulkImport',
      ...bulkImportEnvironment(bulkImport),
    });
    for (const name of accessVariables(ALL_ACCESS)) expect(env[name], name).toMatch(/\S/);
  });

  it('takes the IMPORT_* values from the settings it is given (config/iam-bulk-import.yaml plus overrides)', () => {
    const env = handlerEnvironment(
      { ...wiring, bulkImport: loadBulkImportSettings({ maxRows: 50 }) },
      {},
      ALL_ACCESS,
    );
    expect(env.IMPORT_MAX_ROWS).toBe('50');
    expect(env.IMPORT_BATCH_SIZE).toBe(String(bulkImport.batchSize));
  });

  it('sets only the variables of access some configured handler has (routes, event targets, tasks, notifications)', () => {
    const env = handlerEnvironment(wiring, {}, ['table:read']);
    expect(env.TABLE_NAME).toBe('muster-local');
    expect(env).not.toHaveProperty('UPLOADS_BUCKET');
    expect(env).not.toHaveProperty('MAIL_FROM_ADDRESS');

    const configured = configuredAccess({ bulkImport, entitlements });
    expect(configured.has('table:write')).toBe(true);
    expect(Object.keys(handlerEnvironment(wiring, {}))).toEqual(
      expect.arrayContaining(accessVariables(configured)),
    );
  });

  it('logs at INFO and publishes metrics as deployed functions do, unless asked otherwise', () => {
    expect(handlerEnvironment(wiring, {})).toMatchObject({
      LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_DISABLED: 'false',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
    expect(handlerEnvironment(wiring, { POWERTOOLS_METRICS_DISABLED: 'true' })).toMatchObject({
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
  });
});

describe('terminalLogLevel', () => {
  it('shows WARN and above unless the developer set LOG_LEVEL, in any case Powertools takes', () => {
    expect(terminalLogLevel({})).toBe('WARN');
    expect(terminalLogLevel({ LOG_LEVEL: 'debug' })).toBe('DEBUG');
    expect(terminalLogLevel({ LOG_LEVEL: 'ERROR' })).toBe('ERROR');
    expect(terminalLogLevel({ LOG_LEVEL: 'silent' })).toBe('SILENT');
  });

  it('keeps to WARN for a level Powertools does not know', () => {
    expect(terminalLogLevel({ LOG_LEVEL: 'verbose' })).toBe('WARN');
  });
});
