// llama-server's /infill takes code from other files apart from the prefix (`input_extra`) and writes each piece as
// the model's repo-level FIM format has it: <|file_sep|>path, then the code. The pieces the fit kept go there as they
// came from the extension, and the rest of the fitted prefix goes as input_prefix. The fit counted each piece as the
// other backends render it (pieceText: a path comment, the code, a blank line), which costs about what its
// repo-level form does, so the budget holds either way.
import type { FittedText } from "../completion/promptFit";
import type { InfillContextPiece, InfillParams } from "../protocol/host";

/** One entry of llama-server's `input_extra`. */
export interface InputExtraChunk {
  filename: string;
  text: string;
}

export interface LlamaServerInfillInput {
  prefix: string;
  suffix: string;
  extra: InputExtraChunk[];
}

/** A piece as input_extra takes it: the code ending in one line break, since <|file_sep|> separates the pieces. */
export function inputExtraChunk(piece: InfillContextPiece): InputExtraChunk {
  return { filename: piece.path, text: `${piece.text.trimEnd()}\n` };
}

/** The fitted prompt as /infill takes it; a request without InfillParams.context goes as it is. */
export function llamaServerInfillInput(params: InfillParams, fitted: FittedText | undefined): LlamaServerInfillInput {
  if (fitted === undefined) return { prefix: params.prefix, suffix: params.suffix, extra: [] };
  return { prefix: fitted.documentPrefix, suffix: fitted.suffix, extra: fitted.pieces.map(inputExtraChunk) };
}
