import type { Insertion } from "./suffixOverlap";

interface Entry {
  prefixTail: string;
  suffixHead: string;
  insertion: Insertion;
}

/** Enough of the surroundings to tell two cursor positions apart in practice, without keeping whole files. */
const tailLength = 2000;
const anchorLength = 48;

/**
 * Remembers recent completions. A request at the same place is served from memory; so is one
 * where the user has typed the start of a shown completion: the rest is served at once,
 * with no model request.
 */
export class CompletionCache {
  private readonly entries: Entry[] = [];

  constructor(private readonly capacity: number) {}

  store(prefix: string, suffix: string, insertion: Insertion): void {
    const entry = { prefixTail: prefix.slice(-tailLength), suffixHead: suffix.slice(0, tailLength), insertion };
    const existing = this.entries.findIndex(
      (e) => e.prefixTail === entry.prefixTail && e.suffixHead === entry.suffixHead,
    );
    if (existing >= 0) this.entries.splice(existing, 1);
    this.entries.unshift(entry);
    if (this.entries.length > this.capacity) this.entries.pop();
  }

  lookup(prefix: string, suffix: string): Insertion | undefined {
    const suffixHead = suffix.slice(0, tailLength);
    for (let index = 0; index < this.entries.length; index++) {
      const entry = this.entries[index];
      if (entry.suffixHead !== suffixHead) continue;
      const typed = typedSince(entry, prefix);
      if (typed === undefined || typed.length >= entry.insertion.text.length) continue;
      this.entries.splice(index, 1);
      this.entries.unshift(entry);
      return { text: entry.insertion.text.slice(typed.length), replaceRight: entry.insertion.replaceRight };
    }
    return undefined;
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** What the user typed after the entry's cursor, if the prefix continues the entry's prefix with the start of its text. */
function typedSince(entry: Entry, prefix: string): string | undefined {
  const anchor = entry.prefixTail.slice(-anchorLength);
  const searchFrom = Math.max(0, prefix.length - entry.insertion.text.length - anchor.length);
  const anchorAt = prefix.indexOf(anchor, searchFrom);
  if (anchorAt < 0) return undefined;
  const typed = prefix.slice(anchorAt + anchor.length);
  if (!entry.insertion.text.startsWith(typed)) return undefined;
  const cursorBefore = prefix.length - typed.length;
  const wholeTail = prefix.slice(Math.max(0, cursorBefore - entry.prefixTail.length), cursorBefore);
  return wholeTail === entry.prefixTail ? typed : undefined;
}
