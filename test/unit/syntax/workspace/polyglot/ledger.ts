// Grand livre 📒: non-ASCII text before the definitions.
export interface LedgerEntry {
  amount: number;
  memo: string;
}

export class Ledger {
  private entries: LedgerEntry[] = [];
  record(entry: LedgerEntry): void {
    this.entries.push(entry);
  }
}

export function ledgerBalance(entries: LedgerEntry[]): number {
  return entries.reduce((sum, entry) => sum + entry.amount, 0);
}
