// What an embedding model is given for a text: some were trained with a task prefix on every input, and without it
// their questions and passages land apart.
import type { EmbeddingPurpose } from "../protocol/host";

/** nomic-embed-text (GGUF architecture "nomic-bert"): its model card requires these prefixes. */
const nomicPrefixes: Record<EmbeddingPurpose, string> = {
  query: "search_query: ",
  document: "search_document: ",
};

export function embeddingPrefix(architecture: string, purpose: EmbeddingPurpose): string {
  return architecture === "nomic-bert" || architecture === "nomic-bert-moe" ? nomicPrefixes[purpose] : "";
}
