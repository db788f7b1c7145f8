// The definitions of the files a document imports come from the symbol index worker: reading and parsing a whole
// imported file (tens of milliseconds for a large one) stays off the extension host's thread.
import type { Definition } from "./definitions";
import type { FromIndexer, ToIndexer } from "./symbolIndexProtocol";

/** The definitions of another workspace file, read and parsed elsewhere. */
export interface ImportedDefinitions {
  /** Undefined for a file that cannot be read, is too large or binary, or has no grammar; rejects when nothing can answer now. */
  definitionsOf(filePath: string, languageId: string): Promise<Definition[] | undefined>;
}

type DefinitionsAnswer = Extract<FromIndexer, { kind: "definitions" }>;

/** Sends each request to the worker and settles it with the worker's answer. */
export class IndexerDefinitions implements ImportedDefinitions {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve(definitions: Definition[] | undefined): void; reject(error: Error): void }
  >();
  private post: ((message: ToIndexer) => void) | undefined;

  /** The worker that answers from now on, or none; what the one before had not answered fails. */
  attach(post: ((message: ToIndexer) => void) | undefined): void {
    const unanswered = [...this.pending.values()];
    this.pending.clear();
    for (const request of unanswered) request.reject(new Error("the symbol index worker stopped before it answered"));
    this.post = post;
  }

  definitionsOf(filePath: string, languageId: string): Promise<Definition[] | undefined> {
    const post = this.post;
    if (!post) return Promise.reject(new Error("the symbol index worker is not running"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      post({ kind: "definitions", id, file: filePath, languageId });
    });
  }

  receive(answer: DefinitionsAnswer): void {
    const request = this.pending.get(answer.id);
    this.pending.delete(answer.id);
    request?.resolve(answer.definitions ?? undefined);
  }
}
