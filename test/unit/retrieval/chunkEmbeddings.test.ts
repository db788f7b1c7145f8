import assert from "node:assert/strict";
import {
  ChunkEmbeddings,
  fuseRankings,
  fusionDamping,
  quantize,
  similarity,
  textHash,
} from "../../../extension/src/core/retrieval/chunkEmbeddings";
import { embeddingPrefix } from "../../../extension/src/core/retrieval/embeddingInput";
import type { RankedChunk } from "../../../extension/src/core/retrieval/retrievalIndex";

function ranked(path: string, startLine = 0, score = 1): RankedChunk {
  return { path, startLine, endLine: startLine + 3, symbols: [], score };
}

function span(text: string, startLine = 0, symbols: string[] = []) {
  return { startLine, endLine: startLine + text.split("\n").length - 1, symbols, text };
}

describe("chunk embeddings and hybrid ranking", () => {
  it("quantizes to unit length, so the dot product is the cosine similarity", () => {
    const a = quantize([3, 4]);
    const b = quantize([6, 8]);
    const c = quantize([-4, 3]);
    assert.ok(a && b && c);
    assert.ok(Math.abs(similarity(a, b) - 1) < 0.02);
    assert.ok(Math.abs(similarity(a, c)) < 0.02);
    assert.ok(Math.abs(similarity(a, quantize([-3, -4]) as Int8Array) + 1) < 0.02);
    assert.equal(quantize([0, 0]), undefined);
    assert.equal(similarity(a, quantize([1, 2, 3]) as Int8Array), 0, "vectors of different widths never match");
  });

  it("fuses rankings by reciprocal rank: a chunk high in both beats the top of one", () => {
    const keyword = [ranked("a.ts"), ranked("both.ts"), ranked("c.ts")];
    const vectors = [ranked("v.ts"), ranked("both.ts")];
    const fused = fuseRankings([keyword, vectors], 10);
    assert.deepEqual(
      fused.map((chunk) => chunk.path),
      ["both.ts", "a.ts", "v.ts", "c.ts"],
    );
    assert.ok(Math.abs(fused[0].score - (1 / (fusionDamping + 2) + 1 / (fusionDamping + 2))) < 1e-12);
    assert.equal(fuseRankings([keyword, vectors], 2).length, 2);
    // Chunks are told apart by path and lines, not path alone.
    assert.equal(fuseRankings([[ranked("a.ts", 0)], [ranked("a.ts", 10)]], 10).length, 2);
    assert.deepEqual(
      fuseRankings([keyword, []], 10),
      keyword.map((chunk, index) => ({ ...chunk, score: 1 / (fusionDamping + index + 1) })),
    );
  });

  it("ranks chunks by cosine similarity to the query, best first, with their symbols", () => {
    const embeddings = new ChunkEmbeddings("model");
    embeddings.setFile("/w/a.ts", [span("alpha", 0, ["alpha"]), span("beta", 5, ["beta"])]);
    embeddings.setFile("/w/b.ts", [span("gamma", 0, ["gamma"])]);
    const vectors: Record<string, number[]> = { alpha: [1, 0, 0], beta: [0.7, 0.7, 0], gamma: [0, 0, 1] };
    for (const chunk of embeddings.pending(10)) {
      const name = chunk.startLine === 5 ? "beta" : chunk.path.endsWith("b.ts") ? "gamma" : "alpha";
      embeddings.store(chunk, vectors[name]);
    }
    assert.deepEqual(embeddings.counts(), { chunks: 3, embedded: 3 });
    const nearest = embeddings.nearest([0.9, 0.1, 0], 2);
    assert.deepEqual(
      nearest.map((chunk) => chunk.symbols[0]),
      ["alpha", "beta"],
    );
    assert.ok(nearest[0].score > nearest[1].score);
    assert.deepEqual(embeddings.nearest([0, 0, 0], 2), []);
  });

  it("keeps a chunk's vector while its text is unchanged, wherever it moved, and asks again for changed text", () => {
    const embeddings = new ChunkEmbeddings("model");
    embeddings.setFile("/w/a.ts", [span("function a() {}"), span("function b() {}", 2)]);
    for (const chunk of embeddings.pending(10)) embeddings.store(chunk, [1, chunk.startLine]);
    assert.deepEqual(embeddings.pending(10), []);
    // A line inserted at the top moves both; b's text changes.
    embeddings.setFile("/w/a.ts", [span("function a() {}", 1), span("function b() { return 1; }", 3)]);
    assert.deepEqual(
      embeddings.pending(10).map((chunk) => [chunk.startLine, chunk.hash]),
      [[3, textHash("function b() { return 1; }")]],
    );
    assert.equal(embeddings.nearest([1, 0], 1)[0].startLine, 1, "the moved chunk keeps its vector at its new line");
    // A vector for text that changed again in the meantime is not stored against the new text.
    const stale = embeddings.pending(1)[0];
    embeddings.setFile("/w/a.ts", [span("function a() {}", 1), span("function b() { return 2; }", 3)]);
    embeddings.store(stale, [0, 1]);
    assert.equal(embeddings.pending(10).length, 1);
    embeddings.removeFile("/w/a.ts");
    assert.deepEqual(embeddings.counts(), { chunks: 0, embedded: 0 });
  });

  it("drops every vector when the model changes, and files the keyword index no longer has", () => {
    const embeddings = new ChunkEmbeddings("small");
    embeddings.setFile("/w/a.ts", [span("a")]);
    embeddings.setFile("/w/b.ts", [span("b")]);
    for (const chunk of embeddings.pending(10)) embeddings.store(chunk, [1, 1]);
    embeddings.useModel("small");
    assert.equal(embeddings.counts().embedded, 2);
    embeddings.useModel("large");
    assert.deepEqual(embeddings.counts(), { chunks: 2, embedded: 0 });
    embeddings.keepOnly(new Set(["/w/b.ts"]));
    assert.deepEqual(embeddings.counts(), { chunks: 1, embedded: 0 });
  });

  it("round-trips through its stored form, and refuses data it did not write", () => {
    const embeddings = new ChunkEmbeddings("model");
    embeddings.setFile("/w/a.ts", [span("alpha"), span("beta", 4)]);
    const [first] = embeddings.pending(1);
    embeddings.store(first, [0.6, -0.8]);
    const loaded = ChunkEmbeddings.fromStored(Buffer.concat(embeddings.toStored()));
    assert.ok(loaded);
    assert.equal(loaded.model, "model");
    assert.deepEqual(loaded.counts(), { chunks: 1, embedded: 1 }, "chunks without a vector are not stored");
    assert.ok(loaded.nearest([0.6, -0.8], 1)[0].score > 0.99);
    // The next listing sets the file again: the unchanged chunk keeps the loaded vector.
    loaded.setFile("/w/a.ts", [span("alpha"), span("beta", 4)]);
    assert.deepEqual(loaded.counts(), { chunks: 2, embedded: 1 });
    assert.equal(ChunkEmbeddings.fromStored(Buffer.from("nonsense")), undefined);
  });

  it("hands out pending chunks a file at a time, up to the limit", () => {
    const embeddings = new ChunkEmbeddings("model");
    embeddings.setFile("/w/a.ts", [span("a1"), span("a2", 2), span("a3", 4)]);
    embeddings.setFile("/w/b.ts", [span("b1")]);
    assert.deepEqual(
      embeddings.pending(2).map((chunk) => `${chunk.path}:${chunk.startLine}`),
      ["/w/a.ts:0", "/w/a.ts:2"],
    );
    assert.equal(embeddings.pending(10).length, 4);
  });

  it("gives nomic-embed-text its task prefixes and other models none", () => {
    assert.equal(embeddingPrefix("nomic-bert", "query"), "search_query: ");
    assert.equal(embeddingPrefix("nomic-bert", "document"), "search_document: ");
    assert.equal(embeddingPrefix("bert", "query"), "");
    assert.equal(embeddingPrefix("llama", "document"), "");
  });
});
