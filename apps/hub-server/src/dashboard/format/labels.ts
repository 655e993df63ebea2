import type { BopisStatus, StoreNode } from '../api/api-types';
import { maybeT, t } from '../i18n/translate';

/** "S001 Dublin Grafton St" for a node the hub listed; its id when the list has not arrived (or lost it). */
export function nodeLabel(nodes: readonly StoreNode[], nodeId: string): string {
  const node = nodes.find((candidate) => candidate.nodeId === nodeId);
  return node === undefined ? nodeId : `${node.code} ${node.name}`;
}

/** An exception kind's name; a kind this dashboard does not know yet is still shown, in words. */
export function kindLabel(type: string): string {
  return maybeT(`kind.${type}`) ?? type.toLowerCase().replace(/_/g, ' ');
}

export function statusLabel(status: BopisStatus): string {
  return t(`status.${status}`);
}
