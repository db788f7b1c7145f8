import assert from "node:assert/strict";
import type { Tree } from "web-tree-sitter";
import { createShield, type Finding, type Shield, type ShieldLanguage } from "../../../extension/src/core/shield";
import { InsertionParser, type DocumentCursor } from "../../../extension/src/core/syntax/insertionParser";
import { pointAfter } from "../../../extension/src/core/syntax/documentTree";
import { textReader } from "../../../extension/src/core/syntax/documentReader";
import { grammar, testRuntime } from "../syntax/testRuntime";

/**
 * A suggestion at the cursor of a document, checked the way ghost text is: in the document's tree with the suggestion
 * put in, the findings given in the frame of the window (prefix, suggestion, suffix) the completion sees.
 */
async function scanInDocument(
  shield: Shield,
  language: ShieldLanguage,
  document: { before: string; windowPrefix: string; suggestion: string; windowSuffix: string; after: string },
): Promise<{ inDocument: Finding[]; inText: Finding[] }> {
  const runtime = await testRuntime();
  const grammarOf = await grammar(language);
  const prefix = document.before + document.windowPrefix;
  const suffix = document.windowSuffix + document.after;
  const documentTree = runtime.parse(grammarOf, prefix + suffix);
  const cursor: DocumentCursor = {
    read: textReader(prefix + suffix),
    cursor: prefix.length,
    cursorPoint: pointAfter({ row: 0, column: 0 }, prefix),
    after: suffix,
  };
  let tree: Tree | undefined;
  try {
    tree = new InsertionParser(runtime, grammarOf, documentTree, cursor).parseWithInsertion(document.suggestion);
    const input = {
      prefix: document.windowPrefix,
      suggestion: document.suggestion,
      suffix: document.windowSuffix,
      language,
    };
    return {
      inDocument: shield.scanSuggestion({ ...input, document: { tree, prefixStart: document.before.length } }),
      inText: shield.scanSuggestion(input),
    };
  } finally {
    tree?.delete();
    documentTree.delete();
  }
}

const KEY_LINE = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun";

describe("Shield on a document's tree", () => {
  let shield: Shield;
  before(async () => {
    shield = await createShield({ syntax: await testRuntime(), languages: ["python", "javascript"] });
  });
  after(() => shield.dispose());

  it("shares the runtime's grammars instead of loading its own", async () => {
    const runtime = await testRuntime();
    assert.equal(runtime.loadedLanguage("python"), await runtime.language("python"));
    // Disposing the Shield leaves the shared runtime usable.
    const other = await createShield({ syntax: runtime, languages: ["python"] });
    other.dispose();
    const tree = runtime.parse((await runtime.language("python"))!, "x = 1\n");
    assert.equal(tree.rootNode.hasError, false);
    tree.delete();
  });

  it("reports an insecure suggestion at the same place as the text's own scan", async () => {
    const { inDocument, inText } = await scanInDocument(shield, "python", {
      before: "import subprocess\n\n\ndef earlier():\n    return 1\n\n\n",
      windowPrefix: "def run(cmd):\n    ",
      suggestion: "subprocess.call(cmd, shell=True)",
      windowSuffix: "\n    return None\n",
      after: "\n\ndef later():\n    return 2\n",
    });
    assert.deepEqual(
      inDocument.map((finding) => finding.ruleId),
      ["python.subprocess-shell"],
    );
    assert.deepEqual(inDocument, inText);
  });

  it("sees the document's imports beyond the window", async () => {
    // The import is before the window: only the document's tree knows that `new` is hashlib's.
    const { inDocument, inText } = await scanInDocument(shield, "python", {
      before: "from hashlib import new\n",
      windowPrefix: "\ndef digest(data):\n    ",
      suggestion: "return new('md5', data)",
      windowSuffix: "\n",
      after: "",
    });
    assert.deepEqual(
      inDocument.map((finding) => [finding.ruleId, finding.startLine, finding.startColumn]),
      [["python.weak-hash", 2, 11]],
    );
    assert.deepEqual(inText, []);
  });

  it("leaves findings outside the suggestion out", async () => {
    const { inDocument } = await scanInDocument(shield, "javascript", {
      before: "const cp = require('child_process');\ncp.exec('rm -rf ' + dir);\n",
      windowPrefix: "function f() {\n  ",
      suggestion: "return 1;",
      windowSuffix: "\n}\ncp.exec('ls ' + other);\n",
      after: "",
    });
    assert.deepEqual(inDocument, []);
  });

  it("reports a private key that the suggestion writes under a header already in the document", async () => {
    const { inDocument, inText } = await scanInDocument(shield, "python", {
      before: "import os\n\n",
      windowPrefix: 'KEY = """-----BEGIN RSA PRIVATE KEY-----\n',
      suggestion: KEY_LINE,
      windowSuffix: '\n-----END RSA PRIVATE KEY-----"""\n',
      after: "",
    });
    assert.deepEqual(
      inDocument.map((finding) => [finding.ruleId, finding.startLine, finding.endLine]),
      [["secret.token-format", 0, 1]],
    );
    assert.deepEqual(inDocument, inText);
  });

  it("reads none of a large document's text outside the statements the suggestion touches", async () => {
    const runtime = await testRuntime();
    const python = await grammar("python");
    const key = `KEY = """-----BEGIN RSA PRIVATE KEY-----\n${KEY_LINE}\n-----END RSA PRIVATE KEY-----"""\n`;
    const filler = Array.from({ length: 2_000 }, (_, index) => `value_${index} = ${index}\n`).join("");
    const prefix = `${key}${filler}def run(cmd):\n    `;
    const suffix = "\n";
    const text = prefix + suffix;
    const read = textReader(text);
    const readsFrom: number[] = [];
    const counting = (index: number): string => {
      readsFrom.push(index);
      return read(index);
    };
    const documentTree = runtime.parse(python, counting);
    const cursor: DocumentCursor = {
      read: counting,
      cursor: prefix.length,
      cursorPoint: pointAfter({ row: 0, column: 0 }, prefix),
      after: suffix,
    };
    const tree = new InsertionParser(runtime, python, documentTree, cursor).parseWithInsertion("return cmd");
    try {
      readsFrom.length = 0;
      const windowPrefix = "def run(cmd):\n    ";
      const findings = shield.scanSuggestion({
        prefix: windowPrefix,
        suggestion: "return cmd",
        suffix,
        language: "python",
        document: { tree, prefixStart: prefix.length - windowPrefix.length },
      });
      assert.deepEqual(findings, []);
      // The key block is the first statement: a rule reading the whole document would ask for it.
      assert.deepEqual(
        readsFrom.filter((index) => index < key.length),
        [],
      );
    } finally {
      tree.delete();
      documentTree.delete();
    }
  });

  it("analyses a suggestion beside code nested too deeply elsewhere in the document", async () => {
    const { inDocument } = await scanInDocument(shield, "python", {
      before: `import os\nTABLE = ${"[".repeat(3_000)}1${"]".repeat(3_000)}\n\n`,
      windowPrefix: "def run(cmd):\n    ",
      suggestion: 'os.system("rm -rf " + cmd)',
      windowSuffix: "\n",
      after: "",
    });
    assert.deepEqual(
      inDocument.map((finding) => finding.ruleId),
      ["python.os-command"],
    );
  });

  it("blocks a suggestion inside code nested too deeply to analyse", async () => {
    const { inDocument } = await scanInDocument(shield, "python", {
      before: "import os\n",
      windowPrefix: `TABLE = ${"[".repeat(3_000)}`,
      suggestion: 'os.system("rm -rf " + cmd)',
      windowSuffix: `${"]".repeat(3_000)}\n`,
      after: "",
    });
    assert.deepEqual(
      inDocument.map((finding) => finding.ruleId),
      ["shield.too-deeply-nested"],
    );
  });

  it("falls back to the text's repaired readings where the statement around the suggestion does not parse", async () => {
    const { inDocument, inText } = await scanInDocument(shield, "python", {
      before: "import os\n",
      windowPrefix: "def run(host):\n    ",
      suggestion: "os.system('ping ' + host",
      windowSuffix: "\n",
      after: "",
    });
    assert.ok(inText.some((finding) => finding.ruleId === "python.os-command"));
    assert.deepEqual(inDocument, inText);
  });
});
