import assert from "node:assert/strict";
import path from "node:path";
import type { Chunk } from "../../../extension/src/core/retrieval/chunks";
import { codeWords, searchTerm } from "../../../extension/src/core/retrieval/codeTokens";
import { RetrievalIndex, type StoredIndexRecord } from "../../../extension/src/core/retrieval/retrievalIndex";

/** The stored form's records, each through JSON as the store's lines are. */
function stored(index: RetrievalIndex): unknown[] {
  return [...index.storedRecords()].map((record) => JSON.parse(JSON.stringify(record)) as unknown);
}

function commonTextTerms(index: RetrievalIndex): string[] {
  const [header] = index.storedRecords();
  return header[0] === "index" ? header[1].commonTextTerms : [];
}

function chunk(symbol: string, text: string, startLine = 0): Chunk {
  return { startLine, endLine: startLine + text.split("\n").length - 1, symbols: symbol === "" ? [] : [symbol], text };
}

function terms(text: string): string[] {
  return codeWords(text)
    .map(searchTerm)
    .filter((term) => term !== null);
}

describe("retrieval ranking (BM25 over code-aware terms)", () => {
  it("splits identifiers at camelCase and snake_case and keeps them whole too", () => {
    assert.deepEqual(codeWords("validateToken(user_id, HTTPServer)"), [
      "validateToken",
      "validate",
      "Token",
      "user_id",
      "user",
      "id",
      "HTTPServer",
      "HTTP",
      "Server",
    ]);
  });

  it("folds case and plural and verb endings, and leaves out stop words", () => {
    assert.deepEqual(terms("Where are the tokens validated?"), ["token", "validat"]);
    assert.deepEqual(terms("validates"), ["validate"]);
    assert.deepEqual(terms("Returns the entries; returning mapped queries"), [
      "return",
      "entry",
      "return",
      "map",
      "query",
    ]);
  });

  function workspace(): RetrievalIndex {
    const index = new RetrievalIndex();
    index.setFile("/w/src/auth/tokens.ts", "src/auth/tokens.ts", [
      chunk("", 'import { createHmac } from "node:crypto";'),
      chunk("validateToken", "export function validateToken(token: string): boolean {\n  return verify(token);\n}", 2),
    ]);
    index.setFile("/w/src/cart.ts", "src/cart.ts", [
      chunk(
        "cartTotal",
        "export function cartTotal(items: Item[]): number {\n  return sum(items, (item) => item.price);\n}",
      ),
    ]);
    index.setFile("/w/src/log.ts", "src/log.ts", [
      chunk(
        "writeLog",
        "// Mentions a token once: logs must not print the token.\nexport function writeLog(line: string) {}",
      ),
    ]);
    return index;
  }

  it("ranks the chunk that defines the symbol a question names above one that mentions its words", () => {
    const ranked = workspace().query("where do we validate the token?", 5);
    const found = ranked.map((chunk) => `${chunk.path}:${chunk.startLine + 1}`);
    assert.equal(found[0], "/w/src/auth/tokens.ts:3");
    // The import block matches by its file's path ("auth/tokens"), the log by a mention; cartTotal not at all.
    assert.deepEqual(found.slice(1).sort(), ["/w/src/auth/tokens.ts:1", "/w/src/log.ts:1"]);
    assert.deepEqual(ranked[0].symbols, ["validateToken"]);
  });

  it("finds a file by the words of its path", () => {
    assert.equal(workspace().query("shopping cart prices", 1)[0]?.path, "/w/src/cart.ts");
  });

  it("replaces a file's chunks when it changes and forgets them when it is removed", () => {
    const index = workspace();
    index.setFile("/w/src/auth/tokens.ts", "src/auth/tokens.ts", [
      chunk("refreshSession", "function refreshSession() {}"),
    ]);
    assert.deepEqual(
      index.query("validate token", 5).map((found) => found.symbols[0]),
      ["refreshSession", "writeLog"],
      "the old chunk is gone; the new one matches by its path",
    );
    assert.equal(index.query("refresh session", 5)[0]?.path, "/w/src/auth/tokens.ts");
    index.removeFile("/w/src/auth/tokens.ts");
    assert.deepEqual(index.query("refresh session", 5), []);
    assert.equal(index.fileCount, 2);
  });

  it("answers the same after a round trip through its stored form", () => {
    const index = workspace();
    const loaded = RetrievalIndex.fromStored(stored(index));
    assert.ok(loaded);
    assert.deepEqual(loaded.query("validate the token", 5), index.query("validate the token", 5));
    loaded.setFile("/w/src/new.ts", "src/new.ts", [chunk("validateEmail", "function validateEmail() {}")]);
    assert.equal(loaded.query("validate email", 1)[0]?.path, "/w/src/new.ts", "ids go on after the stored ones");
    assert.equal(RetrievalIndex.fromStored([["index", { version: 3 }]]), undefined);
    assert.equal(RetrievalIndex.fromStored("garbage"), undefined);
    assert.equal(RetrievalIndex.fromStored(stored(index).slice(0, -1)), undefined, "a store cut short");
  });

  it("leaves the words most chunks share out of the query, unless nothing rarer is left", () => {
    const index = new RetrievalIndex();
    for (let file = 0; file < 20; file++)
      index.setFile(`/w/f${file}.ts`, `f${file}.ts`, [chunk(`handler${file}`, `function handler${file}(value) {}`)]);
    index.setFile("/w/special.ts", "special.ts", [chunk("parseInvoice", "function parseInvoice(value) {}")]);
    assert.equal(index.query("parse the invoice value", 1)[0]?.path, "/w/special.ts");
    assert.equal(index.query("value", 30).length, 21, "a question of common words alone still finds them");
  });

  it("drops from chunk text the terms most chunks of a large workspace share, keeping them in symbol names", () => {
    const index = new RetrievalIndex();
    for (let file = 0; file < 2600; file++)
      index.setFile(`/w/f${file}.ts`, `f${file}.ts`, [
        chunk(`handler${file}`, `function handler${file}() { return ${file % 3 === 0 ? "payload" : "other"}; }`),
        chunk("", `// the handler function returns ${file}`),
      ]);
    index.setFile("/w/functions.ts", "functions.ts", [chunk("returnValue", "const returned = 1;")]);
    const records = stored(index);
    // "function" and "return" are in every chunk's text; "handler" in half of them stays, as does "payload".
    assert.deepEqual(commonTextTerms(index).sort(), ["function", "return"]);
    assert.equal(index.query("where is the return value", 1)[0]?.path, "/w/functions.ts", "found by its symbol name");
    assert.equal(index.query("payload", 900).length, 867, "a term under the share keeps every chunk with it");
    const loaded = RetrievalIndex.fromStored(records);
    loaded?.setFile("/w/late.ts", "late.ts", [chunk("lateOne", "function lateOne() { return 2; }")]);
    assert.ok(loaded);
    assert.deepEqual(commonTextTerms(loaded).sort(), ["function", "return"]);
    assert.deepEqual(
      loaded?.query("function", 5).map((found) => found.path),
      ["/w/functions.ts"],
      "found by its path alone: a dropped term is not indexed in new text either",
    );
  });

  /** 2,600 files of two chunks, each chunk's text with "function" and "return": both dropped as common. */
  function commonWorkspace(): RetrievalIndex {
    const index = new RetrievalIndex();
    for (let file = 0; file < 2600; file++) index.setFile(`/w/f${file}.ts`, `f${file}.ts`, commonFile(file));
    return index;
  }

  function commonFile(file: number): Chunk[] {
    return [
      chunk(`handler${file}`, `function handler${file}() { return ${file}; }`),
      chunk("", `// the handler function returns ${file}`),
    ];
  }

  /** Per dropped term, the chunks the stored form says hold it. */
  function storedCounts(index: RetrievalIndex): Record<string, number> {
    const terms = commonTextTerms(index);
    const counts: Record<string, number> = {};
    for (const term of terms) counts[term] = 0;
    for (const record of index.storedRecords() as Iterable<StoredIndexRecord>) {
      if (record[0] !== "counts") continue;
      for (const [, pairs] of record[1])
        for (let pair = 0; pair < pairs.length; pair += 2) counts[terms[pairs[pair]]] += pairs[pair + 1];
    }
    return counts;
  }

  it("counts exactly, as files change, the chunks that hold each dropped term, across its stored form", () => {
    const index = commonWorkspace();
    // Dropped at 5,000 chunks: 2,500 files, every chunk with both terms.
    assert.deepEqual(storedCounts(index), { function: 5200, return: 5200 });
    for (let file = 0; file < 100; file++)
      index.setFile(`/w/f${file}.ts`, `f${file}.ts`, [chunk(`quiet${file}`, `const quiet${file} = ${file};`)]);
    for (let file = 100; file < 150; file++) index.removeFile(`/w/f${file}.ts`);
    assert.deepEqual(storedCounts(index), { function: 4900, return: 4900 });
    const loaded = RetrievalIndex.fromStored(stored(index));
    assert.ok(loaded);
    loaded.removeFile("/w/f200.ts");
    loaded.setFile("/w/late.ts", "late.ts", [chunk("", "function late() { return 1; }")]);
    assert.deepEqual(storedCounts(loaded), { function: 4899, return: 4899 });
    assert.deepEqual(loaded.restoreRareTerms(), [], "still common: nothing to restore");
  });

  it("takes a dropped term back when it is no longer common, naming the files to index again", () => {
    const index = commonWorkspace();
    // 2,100 files' chunks change to text without either term: 500 files (1,000 of 4,700 chunks) still hold them.
    for (let file = 500; file < 2600; file++)
      index.setFile(`/w/f${file}.ts`, `f${file}.ts`, [
        chunk(`quiet${file}`, `const quiet${file} = ${file};`),
        chunk("", `// nothing to see in ${file}`),
      ]);
    assert.deepEqual(storedCounts(index), { function: 1000, return: 1000 });
    assert.deepEqual(index.query("function", 5), [], "dropped: no chunk text holds it");
    const again = index.restoreRareTerms();
    assert.deepEqual(again.sort(), Array.from({ length: 500 }, (_, file) => `/w/f${file}.ts`).sort());
    assert.deepEqual(commonTextTerms(index), []);
    for (const file of again) index.setFile(file, path.posix.basename(file), commonFile(Number(/\d+/.exec(file)?.[0])));
    assert.equal(index.query("function", 2000).length, 1000, "indexed in chunk text again");
    assert.deepEqual(index.restoreRareTerms(), []);
  });

  it("takes every dropped term back when the workspace shrinks well under the size that drops terms", () => {
    const index = commonWorkspace();
    for (let file = 1900; file < 2600; file++) index.removeFile(`/w/f${file}.ts`);
    assert.equal(index.chunkCount, 3800);
    assert.deepEqual(index.restoreRareTerms().length, 1900);
    assert.deepEqual(storedCounts(index), {});
  });

  it("looks for terms that became common when the chunk count has moved by a quarter since the last look", () => {
    const index = commonWorkspace();
    const payloadFile = (file: number): Chunk[] => [
      chunk(`handler${file}`, `function handler${file}() { return payload; }`),
      chunk("", `// the payload function returns ${file}`),
    ];
    for (let file = 0; file < 2600; file++) index.setFile(`/w/f${file}.ts`, `f${file}.ts`, payloadFile(file));
    assert.deepEqual(Object.keys(storedCounts(index)).sort(), ["function", "return"], "5,200 chunks: no look yet");
    assert.equal(index.query("payload", 6000).length, 5200);
    for (let file = 2600; file < 3124; file++) index.setFile(`/w/f${file}.ts`, `f${file}.ts`, payloadFile(file));
    assert.equal(index.chunkCount, 6248);
    assert.deepEqual(Object.keys(storedCounts(index)).sort(), ["function", "return"], "not a quarter more yet");
    index.setFile("/w/f3124.ts", "f3124.ts", payloadFile(3124));
    assert.deepEqual(storedCounts(index), { function: 6250, payload: 6250, return: 6250 }, "6,250 chunks: the look");
    assert.deepEqual(index.query("payload", 5), [], "dropped from chunk text");
  });
});
