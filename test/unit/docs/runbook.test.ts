import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { USAGE } from '../../../cli/args';
import { ROUTES } from '../../../config/routes';
import { SCHEDULES } from '../../../config/schedules';
import { FLAG_NAMES } from '../../../functions/shared/flags';

const runbook = readFileSync('docs/runbook.md', 'utf8');

/** The anchors the alarms point at (docs/runbook.md#<anchor>), agreed before the alarms were written. */
const ALARM_ANCHORS = [
  'import-failure-rate',
  'import-runtime',
  'approval-pending',
  'notification-failure-ratio',
  'batch-assign-failure-rate',
  'permission-expiring-backlog',
  'state-machine-failed',
  'lambda-errors',
  'lambda-throttles',
  'dynamodb-throttles',
  'dlq-depth',
  'api-5xx',
];

const explicitAnchors = new Set([...runbook.matchAll(/<a id="([^"]+)"><\/a>/g)].map((match) => match[1]));
/** GitHub's heading ids: lower case, punctuation but `-` dropped, spaces to `-`. */
const headingAnchors = new Set(
  [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((match) =>
    (match[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N} -]/gu, '')
      .replaceAll(' ', '-'),
  ),
);

/** The anchors lib/observability's alarms name, read as text: what each alarm's description links to. */
function anchorsNamedByAlarms(): string[] {
  const folder = 'lib/observability';
  return readdirSync(folder)
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => [
      ...readFileSync(join(folder, file), 'utf8').matchAll(/runbookAnchor: '([a-z0-9-]+)'/g),
    ])
    .map((match) => match[1] ?? '');
}

const localRoutes = [
  ...readFileSync('local/api/local-endpoints.ts', 'utf8').matchAll(/method: '([A-Z]+)',\s+path: '([^']+)'/g),
].map((match) => ({ method: match[1] ?? '', path: match[2] ?? '' }));

function routeExists(method: string, path: string): boolean {
  return [...ROUTES, ...localRoutes].some((route) => {
    const template = new RegExp(`^${route.path.replace(/[$.]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return route.method === method && template.test(path);
  });
}

/** Each `$API/...` call of the runbook, with the method written before it or its `-X` names (GET without). */
function apiCalls(): { method: string; path: string }[] {
  const commands = runbook.replace(/\\\n\s*/g, ' ').split('\n');
  return commands.flatMap((line) =>
    [...line.matchAll(/(?:(GET|POST|PUT|PATCH|DELETE) )?\$API(\/[^\s"'`?]*)/g)].map((match) => ({
      method: match[1] ?? /-X (GET|POST|PUT|PATCH|DELETE)\b/.exec(line)?.[1] ?? 'GET',
      path: (match[2] ?? '').replace(/<[^>]+>/g, 'x'),
    })),
  );
}

describe('docs/runbook.md', () => {
  it('has a section for every alarm anchor, the agreed ones and every one lib/observability names', () => {
    for (const anchor of [...ALARM_ANCHORS, ...anchorsNamedByAlarms()]) {
      expect(explicitAnchors, anchor).toContain(anchor);
    }
  });

  it('links only to anchors it has', () => {
    const links = [...runbook.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]);
    expect(links.length).toBeGreaterThan(10);
    for (const link of links)
      expect(explicitAnchors.has(link) || headingAnchors.has(link ?? ''), link).toBe(true);
  });

  it('calls only routes that exist, with their methods', () => {
    const calls = apiCalls();
    expect(calls.length).toBeGreaterThan(10);
    for (const { method, path } of calls) expect(routeExists(method, path), `${method} ${path}`).toBe(true);
    const named = [...runbook.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`\s?]+)/g)];
    for (const [, method = '', path = ''] of named) {
      expect(routeExists(method, path.replace(/<[^>]+>/g, 'x')), `${method} ${path}`).toBe(true);
    }
  });

  it('runs only CLI commands the CLI has', () => {
    const commands = [...runbook.matchAll(/\bmuster ((?:approvals )?[a-z]+)\b/g)].map(
      (match) => match[1] ?? '',
    );
    expect(commands).toEqual(
      expect.arrayContaining(['status', 'retry', 'redrive', 'errors', 'approvals list']),
    );
    for (const command of commands) expect(USAGE, command).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('names only flags and schedules that exist', () => {
    const overrides = [...runbook.matchAll(/muster:flags=(\{[^}]+\})/g)].map((match) =>
      Object.keys(JSON.parse(match[1] ?? '{}')),
    );
    expect(overrides.flat()).toContain('user-bulk-import');
    for (const flag of overrides.flat()) expect(FLAG_NAMES).toContain(flag);
    const variables = [...runbook.matchAll(/\b([A-Z_]+)=off\b/g)].map((match) => match[1]);
    for (const variable of variables) {
      expect(FLAG_NAMES.map((flag) => flag.toUpperCase().replaceAll('-', '_'))).toContain(variable);
    }
    const scheduleNames = SCHEDULES.map((schedule) => schedule.name);
    for (const [, name] of runbook.matchAll(/`(\w+(?:Sweep|Summary))`/g))
      expect(scheduleNames).toContain(name);
  });
});
