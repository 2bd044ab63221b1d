import type { ReactNode } from 'react';

/**
 * The console's table frame: scrolls sideways on a narrow window (from the keyboard too: the frame
 * takes focus), names itself to screen readers
 * (a hidden caption) and heads each column with `scope="col"`; the rows are the caller's.
 */
export function DataTable({
  testId,
  caption,
  columns,
  children,
}: {
  readonly testId: string;
  readonly caption: string;
  readonly columns: readonly string[];
  readonly children: ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus, or a keyboard cannot scroll a table wider than a narrow window (WCAG 2.1.1).
    <section className="table-scroll" tabIndex={0} aria-label={caption}>
      <table data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </section>
  );
}
