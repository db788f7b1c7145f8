// @ts-nocheck -- a fixture for the context tests: its import of ./.env is deliberate and resolves to nothing.
import { computeTotal, type LineItem } from "./billing";
import settings from "./.env";

export function checkout(cart: LineItem[]): string {
  const total = computeTotal(cart, settings.taxRate);
  return `Total: ${total}`;
}
