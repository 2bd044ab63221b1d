import { readFileSync } from 'node:fs';
import { BaseResolver, createConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CLIENT_TYPES_PATH,
  generateOpenApiArtifacts,
  OPENAPI_DOCUMENT_PATH,
  type OpenApiArtifacts,
} from '../../scripts/openapi/artifacts';

/** The document's references are all internal: any other is refused, never fetched. */
class LocalOnlyResolver extends BaseResolver {
  override async loadExternalRef(absoluteRef: string): Promise<never> {
    throw new Error(`The OpenAPI document refers outside itself (${absoluteRef}); keep every $ref internal.`);
  }
}

let generated: OpenApiArtifacts;
/** Redocly fetches remote references (and nothing else) with the global fetch. */
const fetchSpy = vi.spyOn(globalThis, 'fetch');

beforeAll(async () => {
  generated = await generateOpenApiArtifacts();
});

describe('the OpenAPI document and the client types', () => {
  it.each([
    ['document', OPENAPI_DOCUMENT_PATH],
    ['types', CLIENT_TYPES_PATH],
  ] as const)('the checked-in %s (%s) is what the routes generate', (artifact, path) => {
    const committed = readFileSync(path, 'utf8');
    expect(committed === generated[artifact], `${path} is stale: run npm run openapi and commit it`).toBe(
      true,
    );
  });

  it('passes the Redocly recommended ruleset without a problem', async () => {
    // The API is internal and carries no licence; every other recommended rule applies.
    const config = await createConfig({ extends: ['recommended'], rules: { 'info-license': 'off' } });
    const problems = await lintFromString({
      source: generated.document,
      absoluteRef: OPENAPI_DOCUMENT_PATH,
      config,
      externalRefResolver: new LocalOnlyResolver(),
    });
    expect(problems.map(describeProblem)).toEqual([]);
    // Neither generating (openapi-typescript lints too) nor linting reached for the network.
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

function describeProblem(problem: NormalizedProblem): string {
  const where = problem.location[0]?.pointer ?? '';
  return `${problem.severity} ${problem.ruleId} at ${where}: ${problem.message}`;
}
