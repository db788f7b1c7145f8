export interface LineItem {
  price: number;
  quantity: number;
}

export function computeTotal(items: LineItem[], taxRate: number): number {
  const net = items.reduce((sum, item) => sum + item.price * item.quantity, 0);
  return Math.round(net * (1 + taxRate) * 100) / 100;
}

export function unrelatedHelper(): string {
  return "not referenced near the cursor";
}
