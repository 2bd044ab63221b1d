import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadEnvironmentSettings } from '../lib/config/environments';
import { MusterStack } from '../lib/muster-stack';

const app = new App();
const settings = loadEnvironmentSettings((key) => app.node.tryGetContext(key));

new MusterStack(app, `Muster-${settings.name}`, {
  settings,
  description: `Muster (${settings.name}): bulk identity provisioning`,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

Tags.of(app).add('project', 'muster');
Tags.of(app).add('environment', settings.name);
Tags.of(app).add('managed-by', 'cdk');

// cdk-nag v3 runs as a policy validation plugin: any unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
