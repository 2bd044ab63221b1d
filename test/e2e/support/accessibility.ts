import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';

/** The WCAG 2.1 success criteria at levels A and AA, as axe tags its rules. */
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One failed axe rule, with what a developer needs to find and fix it. */
export interface AccessibilityViolation {
  readonly rule: string;
  readonly impact: ImpactValue | undefined;
  readonly help: string;
  readonly helpUrl: string;
  /** One entry per offending element: its CSS selector and axe's summary of what is wrong with it. */
  readonly nodes: readonly { readonly target: string; readonly summary: string }[];
}

/**
 * Runs axe-core with the WCAG 2.1 A/AA rules on the page as it is now (every rule of those tags,
 * `color-contrast` included: nothing is disabled). axe is evaluated through the DevTools protocol,
 * not added as a `<script>`: the console's CSP refuses inline scripts, and a test must not weaken it.
 */
export async function axeViolations(page: Page): Promise<AccessibilityViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in globalThis);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const options: RunOptions = {
    runOnly: { type: 'tag', values: [...WCAG_21_AA] },
    resultTypes: ['violations'],
  };
  const results = await page.evaluate(
    (runOptions) =>
      (
        globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<AxeResults> } }
      ).axe.run((globalThis as unknown as { document: unknown }).document, runOptions),
    options,
  );
  return results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    nodes: violation.nodes.map((node) => ({
      target: node.target.map(String).join(' >> '),
      summary: node.failureSummary ?? '',
    })),
  }));
}

/** The violations as a failure message: rule, impact and each element with what to fix. */
export function describeViolations(violations: readonly AccessibilityViolation[]): string {
  return violations
    .map((violation) =>
      [
        `${violation.rule} (${violation.impact ?? 'no impact'}): ${violation.help} <${violation.helpUrl}>`,
        ...violation.nodes.map(
          (node) => `  - ${node.target}\n    ${node.summary.replaceAll('\n', '\n    ')}`,
        ),
      ].join('\n'),
    )
    .join('\n');
}

/** A node of Chromium's accessibility tree: what a screen reader is told about an element. */
export interface AccessibleNode {
  readonly role: string;
  readonly name: string;
  /** `aria-valuenow` as exposed (a `<progress>`'s value counts), when the role has one. */
  readonly valueNow: number | undefined;
  readonly valueMax: number | undefined;
}

interface AxValue {
  readonly value?: unknown;
}
interface AxNode {
  readonly ignored: boolean;
  readonly role?: AxValue;
  readonly name?: AxValue;
  readonly value?: AxValue;
  readonly properties?: readonly { readonly name: string; readonly value: AxValue }[];
}

/**
 * The page's accessible nodes with `role`, read from the browser's accessibility tree through the
 * DevTools protocol: the role and values a native element (a `<progress>`) exposes without any ARIA
 * attribute of its own, which the DOM alone does not show.
 */
export async function accessibleNodes(page: Page, role: string): Promise<AccessibleNode[]> {
  const session = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await session.send('Accessibility.getFullAXTree')) as { nodes: AxNode[] };
    const numberOf = (value: AxValue | undefined) =>
      value?.value === undefined ? undefined : Number(value.value);
    return nodes
      .filter((node) => !node.ignored && node.role?.value === role)
      .map((node) => ({
        role,
        name: String(node.name?.value ?? ''),
        valueNow: numberOf(node.value),
        valueMax: numberOf(node.properties?.find((property) => property.name === 'valuemax')?.value),
      }));
  } finally {
    await session.detach();
  }
}
