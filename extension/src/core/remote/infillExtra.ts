// llama-server's /infill takes code from other files apart from the prefix (`input_extra`) and writes each piece as
// the model's repo-level FIM format has it: <|file_sep|>path, then the code. The completion prompt carries those pieces
// at the start of its prefix, each with its path as a comment (completion/prompt.ts contextPiece); this moves the ones
// the prompt's budget kept out of the prefix into input_extra, so the budget stays the same.
import type { InfillContextPiece, InfillParams } from "../protocol/host";

/** Code from other files for llama-server's `input_extra`, apart from the prefix; the other kinds get it inside the prefix. */
export interface ContextChunk {
  path: string;
  text: string;
}

/**
 * `contextChunks` names the pieces for input_extra outright; without it, llama-server takes the pieces of
 * InfillParams.context that lead the prefix (infillExtra.ts).
 */
export type RemoteInfillParams = InfillParams & { contextChunks?: readonly ContextChunk[] };

export interface LlamaServerInfillInput {
  prefix: string;
  chunks: ContextChunk[];
}

/** "# Path: lib/math.py" or "// Path: src/a.ts" (any line comment), the first line of a piece. */
const pathCommentLine = /^\S{1,3} Path: ([^\n]+)\n/;

export function chunkOfPiece(piece: InfillContextPiece): ContextChunk {
  const pathComment = pathCommentLine.exec(piece.text);
  const text = pathComment === null ? piece.text : piece.text.slice(pathComment[0].length);
  // The blank line that separates pieces in a prefix: input_extra separates them with <|file_sep|>.
  return { path: pathComment?.[1] ?? piece.label, text: text.replace(/\n+$/, "\n") };
}

export function llamaServerInfillInput(params: RemoteInfillParams): LlamaServerInfillInput {
  if (params.contextChunks !== undefined) return { prefix: params.prefix, chunks: [...params.contextChunks] };
  const chunks: ContextChunk[] = [];
  let start = 0;
  for (const piece of params.context?.pieces ?? []) {
    // A piece the budget left out is not in the prefix: it stays out of the request too.
    if (!params.prefix.startsWith(piece.text, start)) continue;
    chunks.push(chunkOfPiece(piece));
    start += piece.text.length;
  }
  return { prefix: params.prefix.slice(start), chunks };
}
