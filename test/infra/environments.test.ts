import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { loadBulkImportSettings } from '../../config/bulk-import-settings';
import { FLAG_NAMES } from '../../functions/shared/flags';
import { ENVIRONMENTS, environmentSettingsSchema } from '../../lib/config/environments';
import { settingsFor } from './support';

const USER_MANAGEMENT_ROLLOUT_FLAGS = [
  'user_mgmt_core',
  'user_mgmt_ui',
  'user_mgmt_enforce',
  'oidc_auto_provision_users',
] as const;

describe('environment settings', () => {
  it('commits valid settings for every environment', () => {
    for (const settings of Object.values(ENVIRONMENTS)) {
      expect(environmentSettingsSchema.parse(settings)).toEqual(settings);
    }
  });

  it('defaults to dev, where every flag is on', () => {
    const settings = settingsFor('dev', { 'muster:environment': undefined });
    expect(settings.name).toBe('dev');
    expect(Object.values(settings.flags)).toEqual(FLAG_NAMES.map(() => true));
  });

  it('keeps the seed 003 user-management flags off in prod and every other flag on', () => {
    const { flags } = settingsFor('prod');
    for (const flag of FLAG_NAMES) {
      expect(flags[flag], flag).toBe(!(USER_MANAGEMENT_ROLLOUT_FLAGS as readonly string[]).includes(flag));
    }
  });

  it('retains data, keeps logs a year and uses a customer-managed key in prod only', () => {
    expect(settingsFor('prod')).toMatchObject({
      retainData: true,
      logRetention: RetentionDays.ONE_YEAR,
      eventArchiveRetentionDays: 365,
      dataEncryption: 'customer-managed',
    });
    expect(settingsFor('dev')).toMatchObject({
      retainData: false,
      logRetention: RetentionDays.ONE_MONTH,
      eventArchiveRetentionDays: 30,
      dataEncryption: 'aws-managed',
    });
  });

  it('overrides single flags from a JSON context string, as `-c muster:flags=...` passes it', () => {
    const { flags } = settingsFor('prod', { 'muster:flags': '{"user_mgmt_core":true}' });
    expect(flags.user_mgmt_core).toBe(true);
    expect(flags.user_mgmt_ui).toBe(false);
  });

  it('accepts flag overrides as an object, as cdk.json holds them', () => {
    const { flags } = settingsFor('dev', { 'muster:flags': { 'audit-streaming': false } });
    expect(flags['audit-streaming']).toBe(false);
    expect(flags['user-bulk-import']).toBe(true);
  });

  it('overrides OIDC, operator, origins and throttling from context strings', () => {
    const settings = settingsFor('prod', {
      'muster:oidcIssuer': 'https://idp.example.org',
      'muster:oidcJwksUrl': 'https://idp.example.org/keys',
      'muster:oidcAudience': 'muster',
      'muster:operatorTenantId': 'acme',
      'muster:operatorEmail': 'ops@acme.example',
      'muster:allowedOrigins': 'https://a.example, https://b.example',
      'muster:throttleRateLimit': '25',
      'muster:throttleBurstLimit': '50',
    });
    expect(settings.oidc).toEqual({
      issuer: 'https://idp.example.org',
      jwksUrl: 'https://idp.example.org/keys',
      audience: 'muster',
    });
    expect(settings.operator).toEqual({ tenantId: 'acme', email: 'ops@acme.example' });
    expect(settings.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(settings.throttling).toEqual({ rateLimit: 25, burstLimit: 50 });
  });

  it('refuses flag overrides that are not a JSON object instead of ignoring them', () => {
    for (const value of ['true', '5', '"user_mgmt_core"', '[true]', 'null', true, ['user_mgmt_core']]) {
      expect(() => settingsFor('prod', { 'muster:flags': value }), JSON.stringify(value)).toThrow(
        /muster:flags must be a JSON object of flag names to booleans/,
      );
    }
  });

  it('refuses invalid overrides with the offending setting named', () => {
    expect(() => settingsFor('dev', { 'muster:flags': 'not json' })).toThrow(/muster:flags must be JSON/);
    expect(() => settingsFor('dev', { 'muster:flags': '{"no_such_flag":true}' })).toThrow(/flags/);
    expect(() => settingsFor('dev', { 'muster:flags': '{"user_mgmt_core":"yes"}' })).toThrow(
      /flags\.user_mgmt_core/,
    );
    expect(() => settingsFor('dev', { 'muster:operatorEmail': 'nobody' })).toThrow(/operator\.email/);
    expect(() => settingsFor('dev', { 'muster:throttleRateLimit': 'fast' })).toThrow(/throttling\.rateLimit/);
    expect(() => settingsFor('staging' as 'dev')).toThrow(/muster:environment must be one of dev\|prod/);
  });

  it('sends mail as a placeholder sender of each environment’s own SES identity until context names the real one', () => {
    expect(settingsFor('dev').mail).toEqual({
      fromAddress: 'no-reply@dev.muster.example.com',
      sesIdentity: 'dev.muster.example.com',
      activationUrlBase: 'https://admin.dev.muster.example.com/activate',
    });
    const prod = settingsFor('prod', {
      'muster:mailFromAddress': 'accounts@corp.example.org',
      'muster:sesIdentity': 'corp.example.org',
      'muster:activationUrlBase': 'https://console.corp.example.org/activate',
    });
    expect(prod.mail).toEqual({
      fromAddress: 'accounts@corp.example.org',
      sesIdentity: 'corp.example.org',
      activationUrlBase: 'https://console.corp.example.org/activate',
    });
    // An address identity authorizes exactly that address.
    expect(
      settingsFor('dev', { 'muster:mailFromAddress': 'me@x.io', 'muster:sesIdentity': 'me@x.io' }).mail
        .fromAddress,
    ).toBe('me@x.io');
  });

  it('refuses a sender the SES identity does not cover, and an activation link that is not http(s)', () => {
    expect(() => settingsFor('dev', { 'muster:mailFromAddress': 'no-reply@elsewhere.example.com' })).toThrow(
      /mail\.fromAddress: fromAddress must be the SES identity itself or an address of its domain/,
    );
    expect(() => settingsFor('dev', { 'muster:activationUrlBase': 'javascript:alert(1)' })).toThrow(
      /mail\.activationUrlBase/,
    );
  });

  it('takes the bulk-import settings from config/iam-bulk-import.yaml, with muster:bulkImport overrides key by key', () => {
    expect(settingsFor('prod').bulkImport).toEqual(loadBulkImportSettings());
    const overridden = settingsFor('prod', {
      'muster:bulkImport': '{"batchSize":50,"retry":{"maxAttempts":5}}',
    });
    expect(overridden.bulkImport).toEqual({
      ...loadBulkImportSettings(),
      batchSize: 50,
      retry: { ...loadBulkImportSettings().retry, maxAttempts: 5 },
    });
    expect(settingsFor('dev', { 'muster:bulkImport': { concurrency: 40 } }).bulkImport.concurrency).toBe(40);
  });

  it('refuses bulk-import overrides that are unknown or out of range, naming them', () => {
    expect(() => settingsFor('dev', { 'muster:bulkImport': '{"batchSise":50}' })).toThrow(
      /muster:bulkImport.*batchSise/,
    );
    expect(() => settingsFor('dev', { 'muster:bulkImport': '{"batchSize":0}' })).toThrow(/batchSize/);
    expect(() => settingsFor('dev', { 'muster:bulkImport': '{"retry":{"backoffRate":"x"}}' })).toThrow(
      /retry\.backoffRate/,
    );
    expect(() => settingsFor('dev', { 'muster:bulkImport': 'not json' })).toThrow(
      /muster:bulkImport must be JSON/,
    );
  });
});
