import { occurrencesOf } from "./text";

/** The target as it was when the request was sent. Offsets are UTF-16 offsets into the whole document. */
export interface TargetSnapshot {
  start: number;
  end: number;
  text: string;
  /** The document's version number at request time. */
  version: number;
  /** The document's length at request time, to follow the target when text was only added or removed above it. */
  documentLength: number;
}

export type Relocation =
  { kind: "inPlace"; start: number } | { kind: "moved"; start: number } | { kind: "changed" } | { kind: "ambiguous" };

/**
 * Where the refactor may be applied now. The rule: only ever over the exact text that was sent. If the document
 * changed, the target must still be there, unchanged: at its old offset, shifted by the edits before it, or as the
 * one place in the document with that text. Anything else is left alone and the user is told.
 */
export function relocateTarget(snapshot: TargetSnapshot, current: { text: string; version: number }): Relocation {
  if (current.version === snapshot.version) return { kind: "inPlace", start: snapshot.start };
  const at = (start: number): boolean =>
    start >= 0 && current.text.slice(start, start + snapshot.text.length) === snapshot.text;
  if (at(snapshot.start)) return { kind: "inPlace", start: snapshot.start };
  const shifted = snapshot.start + current.text.length - snapshot.documentLength;
  if (snapshot.text.trim() === "") return { kind: "changed" };
  if (at(shifted)) return { kind: "moved", start: shifted };
  const found = occurrencesOf(current.text, snapshot.text, 2);
  if (found.length === 0) return { kind: "changed" };
  if (found.length > 1) return { kind: "ambiguous" };
  return { kind: "moved", start: found[0] };
}
