// Server-side printing: the meta.k8s.io Table that `kubectl get` asks for, and the
// PartialObjectMetadata forms.
import type { ResourceDef } from './resources.js';
import type { Obj } from './status.js';

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${years}y`;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function partialObjectMetadata(o: Obj, apiVersion = 'meta.k8s.io/v1'): Obj {
  return { kind: 'PartialObjectMetadata', apiVersion, metadata: o.metadata };
}

export function toTable(
  def: ResourceDef,
  items: Obj[],
  listMeta: Obj,
  apiVersion: string,
  include: IncludeObject,
  now = Date.now(),
): Obj {
  const rows = items.map((o) => {
    const created = Date.parse(String((o.metadata as Obj | undefined)?.creationTimestamp ?? ''));
    const age = Number.isNaN(created) ? '<unknown>' : humanDuration(now - created);
    const row: Obj = { cells: def.cells(o, age) };
    if (include === 'Metadata') row.object = partialObjectMetadata(o, apiVersion);
    if (include === 'Object') row.object = { apiVersion: def.apiVersion, kind: def.kind, ...o };
    return row;
  });
  return { kind: 'Table', apiVersion, metadata: listMeta, columnDefinitions: def.columns, rows };
}
