import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, NestedStack, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MusterStack } from '../../lib/muster-stack';
import { fromRepositoryRoot } from '../../lib/shared/repository';
import { CDK_JSON_CONTEXT, createTestApp, settingsFor } from './support';

const synthesizedTemplateSchema = z.object({
  Resources: z.record(z.string(), z.object({ Type: z.string(), Properties: z.unknown() })),
});

function findingsOf(stack: Stack): string[] {
  return new AwsSolutionsChecks(undefined, { verbose: true })
    .validateScope(stack)
    .violations.flatMap((violation) =>
      violation.violatingResources.map(
        (resource) =>
          `${violation.severity} ${violation.ruleName} at ${resource.constructPath}: ${violation.description}`,
      ),
    );
}

function acknowledgementsOf(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe.each(['dev', 'prod'] as const)('cdk-nag AwsSolutions on Muster-%s', (environment) => {
  const app: App = createTestApp();
  const stack = new MusterStack(app, `Muster-${environment}`, { settings: settingsFor(environment) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

  it('has no unacknowledged finding, error or warning', () => {
    // As `cdk synth` sees the templates: synthesis turns references into a nested stack into its
    // parameters, which is how a nested function's grants name the table and buckets.
    app.synth();
    expect(findingsOf(stack)).toEqual([]);
  });

  it('synthesizes with the AwsSolutions plugin registered the way bin/muster.ts does', () => {
    expect(() => app.synth()).not.toThrow();
  });

  it('carries no error annotations', () => {
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('checks every stack of the app, the nested ones included', () => {
    const stacks = app.node.findAll().filter((construct) => Stack.isStack(construct));
    expect(stacks.map((found) => found.node.path)).toEqual([
      stack.node.path,
      `${stack.node.path}/ApiRoutes`,
      `${stack.node.path}/Monitoring`,
      `${stack.node.path}/ConsoleHosting`,
    ]);
    // findingsOf walks the construct tree from the stack down, so a nested stack is inside it.
    for (const found of stacks) expect(stack.node.findAll()).toContain(found);
  });

  it('acknowledges findings on specific constructs with a written reason, never app- or stack-wide', () => {
    const acknowledgements = acknowledgementsOf(app);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const acknowledgement of acknowledgements) {
      expect([app.node.path, stack.node.path]).not.toContain(acknowledgement.path);
      expect(acknowledgement.reason.length, `${acknowledgement.path} ${acknowledgement.id}`).toBeGreaterThan(
        40,
      );
    }
  });
});

describe('findingsOf', () => {
  it("reports a nested stack's findings as the parent stack's", () => {
    const parent = new Stack(new App(), 'Parent');
    new Queue(new NestedStack(parent, 'Nested'), 'Unencrypted', { enforceSSL: false });
    expect(findingsOf(parent).filter((finding) => finding.includes('Parent/Nested/Unencrypted'))).not.toEqual(
      [],
    );
  });
});

describe('bin/muster.ts', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'muster-cdk-out-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('synthesizes Muster-prod from context, tagged, with cdk-nag passing', async () => {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', fromRepositoryRoot('bin/muster.ts')], {
      cwd: fromRepositoryRoot('.'),
      env: {
        ...process.env,
        // As `cdk synth` runs it with a configured profile: the stack is bound to an account and region,
        // so ARNs it formats are literal, and acknowledgements must match them.
        CDK_DEFAULT_ACCOUNT: '123456789012',
        CDK_DEFAULT_REGION: 'eu-west-1',
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({
          ...CDK_JSON_CONTEXT,
          'muster:environment': 'prod',
          'aws:cdk:bundling-stacks': [],
        }),
      },
    });
    const template = synthesizedTemplateSchema.parse(
      JSON.parse(readFileSync(join(outdir, 'Muster-prod.template.json'), 'utf8')),
    );
    const table = Object.values(template.Resources).find(
      (resource) => resource.Type === 'AWS::DynamoDB::Table',
    );
    expect(table?.Properties).toMatchObject({
      DeletionProtectionEnabled: true,
      Tags: expect.arrayContaining([
        { Key: 'environment', Value: 'prod' },
        { Key: 'project', Value: 'muster' },
      ]),
    });
    // A whole synthesis in a child process: about 50 s on a quiet machine, past the project's 60 s
    // when the rest of npm test shares the cores.
  }, 180_000);
});
