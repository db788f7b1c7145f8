import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Language, Parser } from "web-tree-sitter";
import { importsOf } from "../../../extension/src/core/shield/imports";
import { initTreeSitterRuntime } from "../../../extension/src/core/syntax/treeSitterRuntime";
import { grammarDirectory } from "./harness";

async function tableOf(grammar: string, language: "go" | "java", code: string): Promise<Map<string, string>> {
  await initTreeSitterRuntime(() => readFile(path.join(grammarDirectory, "tree-sitter.wasm")));
  const parser = new Parser();
  parser.setLanguage(await Language.load(await readFile(path.join(grammarDirectory, grammar))));
  const tree = parser.parse(code);
  try {
    if (!tree) throw new Error("no tree");
    return new Map(importsOf(tree.rootNode, language));
  } finally {
    tree?.delete();
    parser.delete();
  }
}

describe("Shield import tables: Go and Java", () => {
  it("map Go package names, aliases and blank imports to import paths", async () => {
    const table = await tableOf(
      "tree-sitter-go.wasm",
      "go",
      'package main\n\nimport (\n\t"crypto/md5"\n\th "crypto/sha1"\n\t_ "net/http/pprof"\n\t"gopkg.in/yaml.v3"\n\t"github.com/x/y/v2"\n)\n',
    );
    assert.deepEqual(
      [...table],
      [
        ["md5", "crypto/md5"],
        ["h", "crypto/sha1"],
        ["_net/http/pprof", "net/http/pprof"],
        ["yaml", "gopkg.in/yaml.v3"],
        ["y", "github.com/x/y/v2"],
      ],
    );
  });

  it("map Java simple names, static imports and on-demand imports to qualified names", async () => {
    const table = await tableOf(
      "tree-sitter-java.wasm",
      "java",
      "import java.util.Random;\nimport static java.lang.Runtime.getRuntime;\nimport java.net.*;\nclass A {}\n",
    );
    assert.deepEqual(
      [...table],
      [
        ["Random", "java.util.Random"],
        ["getRuntime", "java.lang.Runtime.getRuntime"],
        ["*java.net", "java.net"],
      ],
    );
  });
});
