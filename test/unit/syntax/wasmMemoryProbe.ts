// Run in its own process by wasmMemory.test.ts: web-tree-sitter keeps one WASM module per process, and its
// memory can only be observed by catching it as it is created, before the first Parser.init.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { textReader } from "../../../extension/src/core/syntax/documentReader";
import { DocumentTree, pointAfter } from "../../../extension/src/core/syntax/documentTree";
import { cursorInText, InsertionParser } from "../../../extension/src/core/syntax/insertionParser";
import { SyntaxRuntime } from "../../../extension/src/core/syntax/syntaxRuntime";

let memory: WebAssembly.Memory | undefined;

// Emscripten creates the module's memory itself and imports it; a subclass catches it as it is made.
const OriginalMemory = WebAssembly.Memory;
class ObservedMemory extends OriginalMemory {
  constructor(descriptor: WebAssembly.MemoryDescriptor) {
    super(descriptor);
    memory = this;
  }
}
WebAssembly.Memory = ObservedMemory;

const root = path.resolve(__dirname, "../../..");
const leak = process.argv.includes("--leak");

async function main(): Promise<void> {
  const runtime = await SyntaxRuntime.create({ load: (file) => readFile(path.join(root, "grammars", file)) });
  const language = await runtime.language("typescript");
  if (!language || !memory) throw new Error("no WASM memory found");
  const source = readFileSync(path.join(root, "extension/src/core/config/config.ts"), "utf8");

  // One editing session: open a document, type into it with a completion check per keystroke, close it.
  const session = (): void => {
    let text = source;
    const document = new DocumentTree(runtime, language, text, 1_000_000);
    for (let keystroke = 0; keystroke < 60; keystroke++) {
      const offset = Math.floor(text.length / 2);
      const start = pointAfter({ row: 0, column: 0 }, text.slice(0, offset));
      text = text.slice(0, offset) + "x" + text.slice(offset);
      document.edit([{ rangeOffset: offset, rangeLength: 0, start, end: start, text: "x" }]);
      const tree = document.treeFor(textReader(text), text.length);
      if (!tree) throw new Error("the document should be parsed");
      const checked = new InsertionParser(
        runtime,
        language,
        tree,
        cursorInText(text.slice(0, offset + 1), text.slice(offset + 1)),
      ).parseWithInsertion("value;");
      if (!leak) checked.delete();
    }
    if (!leak) document.dispose();
  };

  for (let index = 0; index < 5; index++) session();
  const settled = memory.buffer.byteLength;
  for (let index = 0; index < 50; index++) session();
  process.stdout.write(JSON.stringify({ settled, after: memory.buffer.byteLength }));
  runtime.dispose();
}

void main();
