// The workspace retrieval index as the extension runs it: the bundled symbol index worker (dist/symbolIndexWorker.js,
// from `npm run build`) through SymbolIndexClient, on real files in a scratch folder. It follows saves, renames and
// deletes, honours .gitignore and skips secret and binary files, and keeps its index in the storage file across a
// restart. Then the thread alone across restarts: a listing over the stored index parses only what changed while no
// thread ran, as its messages show.
import assert from "node:assert/strict";
import { access, mkdir, mkdtemp, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { RetrievedChunk } from "../../extension/src/core/retrieval/retrievedChunk";
import { SymbolIndexClient } from "../../extension/src/node/syntax/symbolIndexClient";
import { repoRoot } from "../fixtures/scriptedModel";
import { IndexerWorker } from "./indexerWorker";

function where(chunks: readonly RetrievedChunk[]): string[] {
  return chunks.map(
    (chunk) => `${path.posix.basename(chunk.path)}:${chunk.startLine + 1} ${chunk.symbols.join(" in ")}`,
  );
}

/** Two source files both suites index: a Python function with a docstring and a TypeScript one. */
const authModule =
  'import hmac\n\n\ndef validate_token(token: str) -> bool:\n    """Checks a session token\'s signature."""\n    return hmac.compare_digest(token, "x")\n';
const cartModule =
  "export function cartTotal(prices: number[]): number {\n  return prices.reduce((sum, price) => sum + price, 0);\n}\n";

describe("workspace retrieval index (worker thread, real files)", function () {
  let scratch: string;
  let store: string;
  let client: SymbolIndexClient | undefined;
  let idle = 0;
  const warnings: string[] = [];

  const until = async (predicate: () => boolean): Promise<void> => {
    while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 20));
  };

  function startClient(): SymbolIndexClient {
    client?.stop();
    const started = new SymbolIndexClient(
      path.join(repoRoot, "dist/symbolIndexWorker.js"),
      { info: () => undefined, warn: (message) => warnings.push(message) },
      (done, total) => {
        if (done === total) idle++;
      },
    );
    started.start({ grammarDirectory: path.join(repoRoot, "grammars"), roots: [scratch], retrievalStore: store });
    client = started;
    return started;
  }

  /** Posts a change as WorkspaceSymbols does, and waits for the worker to be idle again. */
  async function changed(message: { kind: "update" | "remove"; file: string }): Promise<void> {
    const before = idle;
    client?.post(message);
    await until(() => idle > before);
  }

  before(async function () {
    scratch = (await mkdtemp(path.join(os.tmpdir(), "retrieval-index-"))).replace(/\\/g, "/");
    store = `${scratch}-storage/retrieval-index.json`;
    await mkdir(`${scratch}/src`);
    await writeFile(`${scratch}/src/auth.py`, authModule);
    await writeFile(`${scratch}/src/cart.ts`, cartModule);
    await writeFile(`${scratch}/.gitignore`, "generated/\n");
    await mkdir(`${scratch}/generated`);
    await writeFile(`${scratch}/generated/tokens.py`, "def validate_token_generated():\n    pass\n");
    await writeFile(`${scratch}/src/.env.py`, "TOKEN_SECRET = 'validate token'\n");
    await writeFile(`${scratch}/src/blob.py`, Buffer.from([100, 101, 102, 0, 1, 2, 32, 116, 111, 107, 101, 110]));
  });

  after(async function () {
    client?.stop();
    await rm(scratch, { recursive: true, force: true });
    await rm(path.dirname(store), { recursive: true, force: true });
  });

  it("indexes a listing, skipping ignored, secret and binary files, and keeps the index in its storage file", async function () {
    const worker = startClient();
    const before = idle;
    worker.indexFiles(
      ["src/auth.py", "src/cart.ts", "generated/tokens.py", "src/.env.py", "src/blob.py"].map(
        (file) => `${scratch}/${file}`,
      ),
    );
    await until(() => idle > before);
    const found = await worker.retrieval.retrieve("where is the token validated?", 5);
    assert.deepEqual(where(found), ["auth.py:4 validate_token"]);
    assert.ok(found[0].text.startsWith("def validate_token(token: str) -> bool:\n"), found[0].text);
    // The save follows the idle report: wait for the file.
    for (let tries = 0; ; tries++) {
      try {
        await access(store);
        break;
      } catch (error) {
        if (tries > 250) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  });

  it("answers from the stored index at once after a restart, before any listing", async function () {
    const worker = startClient();
    assert.deepEqual(where(await worker.retrieval.retrieve("cart total of the prices", 1)), ["cart.ts:1 cartTotal"]);
  });

  it("follows a save: the new definition is found, the old one is gone", async function () {
    await writeFile(
      `${scratch}/src/auth.py`,
      "import hmac\n\n\ndef check_session(cookie: str) -> bool:\n    return hmac.compare_digest(cookie, 'y')\n",
    );
    await changed({ kind: "update", file: `${scratch}/src/auth.py` });
    assert.deepEqual(where(await client!.retrieval.retrieve("check the session cookie", 1)), [
      "auth.py:4 check_session",
    ]);
    const stale = await client!.retrieval.retrieve("validate token", 5);
    assert.ok(!where(stale).some((found) => found.includes("validate_token")), where(stale).join(", "));
  });

  it("follows a rename and a delete", async function () {
    await mkdir(`${scratch}/src/web`);
    await rename(`${scratch}/src/auth.py`, `${scratch}/src/web/session.py`);
    await changed({ kind: "remove", file: `${scratch}/src/auth.py` });
    await changed({ kind: "update", file: `${scratch}/src/web/session.py` });
    const renamed = await client!.retrieval.retrieve("check the session cookie", 1);
    assert.equal(renamed[0]?.path, `${scratch}/src/web/session.py`);

    await unlink(`${scratch}/src/cart.ts`);
    await changed({ kind: "remove", file: `${scratch}/src/cart.ts` });
    assert.deepEqual(await client!.retrieval.retrieve("cart total of the prices", 5), []);
    assert.deepEqual(warnings, []);
  });

  it("fails the questions it had not answered when stopped", async function () {
    const pending = client!.retrieval.retrieve("session", 1);
    client!.stop();
    await assert.rejects(pending, /stopped before it answered/);
    await assert.rejects(client!.retrieval.retrieve("session", 1), /not running/);
  });
});

describe("workspace index across restarts (worker thread, stored index, real files)", function () {
  let scratch: string;
  let store: string;
  let worker: IndexerWorker | undefined;
  const listing = (): string[] =>
    ["src/auth.py", "src/cart.ts", "src/notes.py", "generated/tokens.py"].map((file) => `${scratch}/${file}`);

  function start(): IndexerWorker {
    worker = new IndexerWorker(path.join(repoRoot, "dist/symbolIndexWorker.js"), {
      grammarDirectory: path.join(repoRoot, "grammars"),
      roots: [scratch],
      retrievalStore: store,
    });
    return worker;
  }

  /** Ends the thread; with `saved`, once the store has been written after its last listing. */
  async function stop(saved?: { since: number }): Promise<void> {
    const running = worker;
    worker = undefined;
    if (!running) return;
    while (saved && (await stat(store).catch(() => undefined))?.mtimeMs === saved.since)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const exited = running.exited();
    running.post({ kind: "shutdown" });
    await exited;
  }

  const storedAt = async (): Promise<number> => (await stat(store).catch(() => undefined))?.mtimeMs ?? -1;

  function failures(running: IndexerWorker): string[] {
    return running.messages.flatMap((message) => (message.kind === "failed" ? [message.message] : []));
  }

  function parsed(running: IndexerWorker): string[] {
    return running.messages.flatMap((message) => (message.kind === "file" ? [message.file] : []));
  }

  before(async function () {
    scratch = (await mkdtemp(path.join(os.tmpdir(), "retrieval-restart-"))).replace(/\\/g, "/");
    store = `${scratch}-storage/retrieval-index.json`;
    await mkdir(`${scratch}/src`);
    await mkdir(`${scratch}/generated`);
    await writeFile(`${scratch}/.gitignore`, "generated/\n");
    await writeFile(`${scratch}/generated/tokens.py`, "def generated_tokens():\n    pass\n");
    await writeFile(`${scratch}/src/auth.py`, authModule);
    await writeFile(`${scratch}/src/cart.ts`, cartModule);
    await writeFile(
      `${scratch}/src/notes.py`,
      "def archive_meeting_notes(folder):\n    return sorted(folder.glob('*.md'))\n",
    );
  });

  afterEach(async function () {
    await stop();
  });

  after(async function () {
    await rm(scratch, { recursive: true, force: true });
    await rm(path.dirname(store), { recursive: true, force: true });
  });

  it("discards a store of an older format and parses every file", async function () {
    await mkdir(path.dirname(store), { recursive: true });
    // Version 2: the retrieval index alone, without the files' stamps.
    await writeFile(store, JSON.stringify({ version: 2, search: {}, chunks: [], commonTextTerms: [] }));
    const before = await storedAt();
    const running = start();
    const idle = await running.list(listing());
    assert.deepEqual(
      { parsed: idle.indexedFiles, unchanged: idle.unchangedFiles, skipped: idle.skippedFiles },
      { parsed: 3, unchanged: 0, skipped: 1 },
    );
    assert.deepEqual(failures(running), []);
    assert.deepEqual(where(await running.retrieval.retrieve("where is the token validated?", 1)), [
      "auth.py:4 validate_token",
    ]);
    await stop({ since: before });
  });

  it("parses no file when restarted over an unchanged workspace, and has every symbol and chunk from the store", async function () {
    const running = start();
    const idle = await running.list(listing());
    assert.deepEqual(parsed(running), []);
    assert.deepEqual(
      { parsed: idle.indexedFiles, unchanged: idle.unchangedFiles, skipped: idle.skippedFiles },
      { parsed: 0, unchanged: 3, skipped: 1 },
    );
    assert.deepEqual(failures(running), []);
    assert.deepEqual(
      running.index.lookup("validate_token").map((symbol) => [path.posix.basename(symbol.path), symbol.signature]),
      [["auth.py", "def validate_token(token: str) -> bool:"]],
    );
    assert.equal(running.index.lookup("cartTotal").length, 1);
    assert.equal(running.index.lookup("generated_tokens").length, 0, "an ignored file stays out");
    assert.deepEqual(where(await running.retrieval.retrieve("cart total of the prices", 1)), ["cart.ts:1 cartTotal"]);
  });

  it("re-parses a file changed while closed and drops one deleted while closed", async function () {
    const before = await storedAt();
    await writeFile(
      `${scratch}/src/cart.ts`,
      "export function taxedCartTotal(prices: number[], rate: number): number {\n  return prices.reduce((sum, price) => sum + price * (1 + rate), 0);\n}\n",
    );
    await unlink(`${scratch}/src/notes.py`);
    const running = start();
    const idle = await running.list(listing().filter((file) => !file.endsWith("notes.py")));
    assert.deepEqual(parsed(running), [`${scratch}/src/cart.ts`]);
    assert.deepEqual(
      { parsed: idle.indexedFiles, unchanged: idle.unchangedFiles, skipped: idle.skippedFiles },
      { parsed: 1, unchanged: 1, skipped: 1 },
    );
    assert.deepEqual(failures(running), []);
    const taxed = await running.retrieval.retrieve("cart total with the tax rate", 1);
    assert.deepEqual(where(taxed), ["cart.ts:1 taxedCartTotal"]);
    assert.ok(taxed[0].text.includes("price * (1 + rate)"), taxed[0].text);
    assert.deepEqual(running.index.lookup("cartTotal"), []);
    assert.deepEqual(await running.retrieval.retrieve("archive the meeting notes", 5), []);
    assert.deepEqual(running.index.lookup("archive_meeting_notes"), []);
    await stop({ since: before });

    const again = start();
    const next = await again.list(listing().filter((file) => !file.endsWith("notes.py")));
    assert.equal(next.indexedFiles, 0, "the change was stored: nothing to parse the time after");
    assert.deepEqual(again.index.lookup("taxedCartTotal").length, 1);
    assert.deepEqual(await again.retrieval.retrieve("archive the meeting notes", 5), []);
  });
});
