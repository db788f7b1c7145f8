// Panier 🛒: non-ASCII text before the definitions.
export class ShoppingCart {
  add(item) {
    this.items.push(item);
  }
}

export function cartTotal(items, taxRate) {
  return items.reduce((sum, item) => sum + item.price, 0) * (1 + taxRate);
}
