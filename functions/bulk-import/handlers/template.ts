import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { RoleCatalog } from '../../identity/adapters/role-catalog';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { createS3Client, ObjectStore } from '../../shared/aws/object-store';
import { loadConfig } from '../../shared/config';
import { type HttpResult, principalRoute } from '../../shared/http/api-route';
import { reportsConfig, tableConfig } from '../../shared/runtime-config';
import { RolePolicyRepository } from '../adapters/role-policy-repository';
import { validationSettings } from '../adapters/tenant-directory-lookup';
import { importSettingsConfig } from '../runtime-config';
import { templateDownload } from '../use-cases/template';

const config = loadConfig(tableConfig.extend(reportsConfig.shape).extend(importSettingsConfig.shape));
const documents = createDocumentClient();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const roleCatalog = new RoleCatalog(directory);
const policies = new RolePolicyRepository(documents, config.TABLE_NAME);
const reports = new ObjectStore(createS3Client(), config.REPORTS_BUCKET);

export const handler = principalRoute(
  {
    operation: 'GetImportTemplate',
    resolvePrincipal: principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME)),
    permission: 'users.import',
    flag: 'user-bulk-import',
    query: z.object({ format: z.enum(['csv', 'xlsx']).default('csv') }),
  },
  async ({ caller, query }): Promise<HttpResult> => {
    const template = await templateDownload(
      { reports, clock: () => new Date() },
      caller.tenantId,
      query.format,
      () => validationSettings({ directory, roleCatalog, policies, settings: config }, caller.tenantId),
    );
    if (template.format === 'xlsx') {
      return {
        statusCode: 303,
        headers: { location: template.downloadUrl },
        body: { downloadUrl: template.downloadUrl },
      };
    }
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${template.fileName}"`,
      },
      rawBody: template.body,
    };
  },
);
