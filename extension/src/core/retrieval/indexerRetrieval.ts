// Questions to the workspace retrieval index, which lives in the symbol index worker with the chunks it cuts: the
// ranking and the reading of the chunks' files stay off the extension host's thread.
import type { EmbeddingPurpose } from "../protocol/host";
import type { FromIndexer, ToIndexer } from "../syntax/symbolIndexProtocol";
import type { RetrievedChunk } from "./retrievedChunk";

/** An embedding model that can be asked for vectors now. */
export interface ChunkEmbedder {
  /** Changes when the model does: vectors of two models cannot be compared. */
  model: string;
  embed(texts: string[], purpose: EmbeddingPurpose): Promise<number[][]>;
}

/** Where the chat gets the workspace code that matches a question. */
export interface Retriever {
  /** The best chunks first; rejects when nothing can answer now. */
  retrieve(query: string, limit: number): Promise<RetrievedChunk[]>;
}

type RetrievedAnswer = Extract<FromIndexer, { kind: "retrieved" }>;

/** Sends each question to the worker and settles it with the worker's answer. */
export class IndexerRetrieval implements Retriever {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(chunks: RetrievedChunk[]): void; reject(error: Error): void }>();
  private post: ((message: ToIndexer) => void) | undefined;
  private embedder: ChunkEmbedder | undefined;

  /** The model that embeds questions from now on, or none: then the worker ranks by keywords alone. */
  useEmbedder(embedder: ChunkEmbedder | undefined): void {
    this.embedder = embedder;
  }

  /** The worker that answers from now on, or none; what the one before had not answered fails. */
  attach(post: ((message: ToIndexer) => void) | undefined): void {
    const unanswered = [...this.pending.values()];
    this.pending.clear();
    for (const request of unanswered) request.reject(new Error("the workspace index stopped before it answered"));
    this.post = post;
  }

  /** A question whose embedding fails is still answered, by keywords alone. */
  retrieve(query: string, limit: number): Promise<RetrievedChunk[]> {
    const embedder = this.embedder;
    if (embedder === undefined) return this.ask(query, limit, undefined);
    return embedder.embed([query], "query").then(
      (vectors) => this.ask(query, limit, vectors[0]),
      () => this.ask(query, limit, undefined),
    );
  }

  /** Posted at once: a worker stopped after this call fails the question rather than leaving it unanswered. */
  private ask(query: string, limit: number, vector: number[] | undefined): Promise<RetrievedChunk[]> {
    const post = this.post;
    if (!post) return Promise.reject(new Error("the workspace index is not running"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      post({ kind: "retrieve", id, query, limit, ...(vector === undefined ? {} : { vector }) });
    });
  }

  receive(answer: RetrievedAnswer): void {
    const request = this.pending.get(answer.id);
    this.pending.delete(answer.id);
    request?.resolve(answer.chunks);
  }
}
