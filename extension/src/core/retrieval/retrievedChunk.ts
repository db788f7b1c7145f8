/** A chunk of workspace code retrieved for a question, with its text as the file had it when it was retrieved. */
export interface RetrievedChunk {
  /** Absolute POSIX path. */
  path: string;
  /** 0-based, inclusive. */
  startLine: number;
  endLine: number;
  symbols: string[];
  text: string;
}
