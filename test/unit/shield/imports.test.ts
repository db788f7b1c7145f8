import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync } from "node:fs";
import { Language, Parser } from "web-tree-sitter";
import { collectImports, qualifiedName } from "../../../extension/src/core/shield/imports";
import { initTreeSitterRuntime } from "../../../extension/src/core/syntax/treeSitterRuntime";
import type { ShieldLanguage } from "../../../extension/src/core/shield";
import { grammarDirectory } from "./harness";

const GRAMMAR: Partial<Record<ShieldLanguage, string>> = {
  python: "tree-sitter-python.wasm",
  javascript: "tree-sitter-javascript.wasm",
  typescript: "tree-sitter-typescript.wasm",
  php: "tree-sitter-php.wasm",
};

describe("Shield import table", () => {
  const parsers = new Map<ShieldLanguage, Parser>();
  before(async () => {
    await initTreeSitterRuntime(async () => readFileSync(path.join(grammarDirectory, "tree-sitter.wasm")));
    for (const [language, file] of Object.entries(GRAMMAR)) {
      const parser = new Parser();
      parser.setLanguage(await Language.load(readFileSync(path.join(grammarDirectory, file))));
      parsers.set(language as ShieldLanguage, parser);
    }
  });
  after(() => {
    for (const parser of parsers.values()) parser.delete();
  });

  /** The qualified name of the last expression statement's callee (or the expression itself). */
  function resolve(language: ShieldLanguage, code: string): string {
    const tree = parsers.get(language)?.parse(code);
    if (!tree) throw new Error(`no parser for ${language}`);
    try {
      const calls = tree.rootNode.descendantsOfType(["call", "call_expression", "function_call_expression"]);
      const callee = calls.at(-1)?.childForFieldName("function");
      if (!callee) throw new Error(`no call in ${code}`);
      return qualifiedName(collectImports(language, tree.rootNode), callee);
    } finally {
      tree.delete();
    }
  }

  it("reads Python module aliases and from-imports", () => {
    assert.equal(resolve("python", "import hashlib as h\nh.md5(b'')"), "hashlib.md5");
    assert.equal(resolve("python", "from Crypto.Cipher import AES\nAES.new(k)"), "Crypto.Cipher.AES.new");
    assert.equal(resolve("python", "from hashlib import sha1 as s\ns(b'')"), "hashlib.sha1");
    assert.equal(resolve("python", "import os.path\nos.path.join(a)"), "os.path.join");
    assert.equal(resolve("python", "from . import md5\nmd5(b'')"), "md5", "the package's own module is no library API");
  });

  it("reads require, destructured require and ES imports", () => {
    assert.equal(resolve("javascript", "const cp = require('child_process');\ncp.exec(c);"), "child_process.exec");
    assert.equal(
      resolve("javascript", "const { exec: run } = require('node:child_process');\nrun(c);"),
      "child_process.exec",
    );
    assert.equal(
      resolve("javascript", "const hash = require('crypto').createHash;\nhash('md5');"),
      "crypto.createHash",
    );
    assert.equal(resolve("typescript", "import * as fs from 'fs';\nfs.readFileSync(p);"), "fs.readFileSync");
    assert.equal(
      resolve("typescript", "import { readFile as rf } from 'fs/promises';\nrf(p);"),
      "fs.promises.readFile",
    );
    assert.equal(resolve("javascript", "exec(c);"), "exec", "a name nothing imported reads as written");
  });

  it("reads PHP use declarations", () => {
    const tree = parsers.get("php")?.parse("<?php\nuse A\\B\\C as D, E\\F;");
    if (!tree) throw new Error("no PHP parser");
    try {
      assert.deepEqual(
        [...collectImports("php", tree.rootNode)],
        [
          ["D", "A.B.C"],
          ["F", "E.F"],
        ],
      );
    } finally {
      tree.delete();
    }
  });
});
