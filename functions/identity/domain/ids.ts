import { ulid } from 'ulid';

/** Prefixed, time-sortable ids: the prefix tells a reader what an id names (`u_` user; later `t_` task, ...). */
export function newId(prefix: 'u'): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}
