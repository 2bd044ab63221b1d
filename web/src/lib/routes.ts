/** The console's pages, addressed under its base path (`/console/` when served by the API's origin). */
export const PAGES = ['import', 'imports', 'users', 'approvals', 'audit', 'sign-in'] as const;
export type Page = (typeof PAGES)[number];

const PAGE_PATHS: Record<Page, string> = {
  import: '',
  imports: 'imports',
  users: 'users',
  approvals: 'approvals',
  audit: 'audit',
  'sign-in': 'sign-in',
};

/** The page a location shows; an unknown path shows the import wizard, the console's home. */
export function pageOf(pathname: string, base: string): Page {
  const relative = pathname.startsWith(base) ? pathname.slice(base.length) : pathname.replace(/^\//, '');
  const segment = relative.split('/')[0] ?? '';
  return PAGES.find((page) => PAGE_PATHS[page] === segment) ?? 'import';
}

export function pathOf(page: Page, base: string): string {
  return `${base}${PAGE_PATHS[page]}`;
}
