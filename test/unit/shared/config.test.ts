import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../../functions/shared/config';
import { oidcConfig, tableConfig } from '../../../functions/shared/runtime-config';

describe('loadConfig', () => {
  it('returns the parsed configuration', () => {
    expect(loadConfig(tableConfig, { TABLE_NAME: 'muster-dev' })).toEqual({ TABLE_NAME: 'muster-dev' });
  });

  it('fails fast naming every missing or malformed variable, with no default for a table name', () => {
    const schema = tableConfig.extend(oidcConfig.shape);
    expect(() =>
      loadConfig(schema, { TABLE_NAME: '  ', OIDC_ISSUER: 'not a url', OIDC_AUDIENCE: 'api' }),
    ).toThrow(/TABLE_NAME: is required.*OIDC_ISSUER.*OIDC_JWKS_URL/);
  });

  it('says a missing name is required rather than describing types', () => {
    expect(() => loadConfig(tableConfig, {})).toThrow('Invalid configuration: TABLE_NAME: is required');
  });

  it('accepts any zod schema', () => {
    expect(loadConfig(z.object({ PORT: z.coerce.number() }), { PORT: '3000' })).toEqual({ PORT: 3000 });
  });
});
