import type { Inventory } from '../model/index.js';

export function toJson(inv: Inventory): string {
  return JSON.stringify(inv, null, 2) + '\n';
}
