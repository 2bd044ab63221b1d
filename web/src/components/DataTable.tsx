import type { ReactNode } from 'react';

/**
 * The console's table frame: scrolls sideways on a narrow window, names itself to screen readers
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
    <div className="table-scroll">
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
    </div>
  );
}
