import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/shared/observability';
import type { EnvironmentName } from '../../lib/config/environments';
import {
  createMusterFunction,
  POWERTOOLS_METRICS_NAMESPACE,
  POWERTOOLS_SERVICE_NAME,
} from '../../lib/shared/muster-function';
import { createTestApp, createTestStack, logicalIdOf, settingsFor } from './support';

function synthesize(environment: EnvironmentName) {
  const stack = createTestStack();
  const fn = createMusterFunction(stack, 'Health', {
    settings: settingsFor(environment),
    entry: 'functions/health/handlers/health.ts',
    handlerExport: 'handler',
    description: 'GET /health',
    environment: { EXTRA: 'value' },
  });
  return { template: Template.fromStack(stack), fn };
}

describe('createMusterFunction', () => {
  it('builds an ARM64 Node.js 22 function with active tracing and the export as handler', () => {
    const { template } = synthesize('dev');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 10,
    });
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { ReservedConcurrentExecutions: Match.anyValue() },
      0,
    );
  });

  it('sets source maps, Powertools, log level and environment name, keeping caller variables', () => {
    const { template } = synthesize('prod');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'muster',
          POWERTOOLS_METRICS_NAMESPACE: 'Muster',
          LOG_LEVEL: 'INFO',
          MUSTER_ENV: 'prod',
          EXTRA: 'value',
        },
      },
    });
  });

  it('names the same Powertools service and namespace as the handlers', () => {
    expect(POWERTOOLS_SERVICE_NAME).toBe(SERVICE_NAME);
    expect(POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS_NAMESPACE);
  });

  it('logs to its own log group: a month and destroyed in dev, a year and retained in prod', () => {
    for (const [environment, days, policy] of [
      ['dev', 30, 'Delete'],
      ['prod', 365, 'Retain'],
    ] as const) {
      const { template, fn } = synthesize(environment);
      const logGroups = template.findResources('AWS::Logs::LogGroup');
      const [logGroupId] = Object.keys(logGroups);
      expect(logGroups[logGroupId as string]).toMatchObject({
        Properties: { RetentionInDays: days },
        DeletionPolicy: policy,
      });
      expect(template.toJSON().Resources[logicalIdOf(fn)].Properties.LoggingConfig).toEqual({
        LogGroup: { Ref: logGroupId },
      });
    }
  });

  it('bundles with the local esbuild into minified ESM with a require shim and a source map', () => {
    const app = createTestApp({ 'aws:cdk:bundling-stacks': ['**'] });
    const stack = new Stack(app, 'Bundled');
    createMusterFunction(stack, 'Health', {
      settings: settingsFor('dev'),
      entry: 'functions/health/handlers/health.ts',
      handlerExport: 'handler',
      description: 'GET /health',
    });
    const assembly = app.synth();
    const assetDirectory = readdirSync(assembly.directory)
      .map((name) => join(assembly.directory, name))
      .find((path) => existsSync(join(path, 'index.mjs')));
    expect(assetDirectory).toBeDefined();
    const bundle = readFileSync(join(assetDirectory as string, 'index.mjs'), 'utf8');
    expect(bundle.startsWith("import { createRequire as topLevelCreateRequire } from 'node:module';")).toBe(
      true,
    );
    expect(bundle).toMatch(/sourceMappingURL=index\.mjs\.map/);
    expect(existsSync(join(assetDirectory as string, 'index.mjs.map'))).toBe(true);
  });
});
