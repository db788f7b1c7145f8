// Target finding: with no selection, the enclosing function or class from tree-sitter; selections widened to lines.
import assert from "node:assert/strict";
import { surroundingContext } from "../../../extension/src/core/refactor/context";
import { proposalBreaksParse } from "../../../extension/src/core/refactor/syntaxCheck";
import { enclosingDefinition, normaliseSelection } from "../../../extension/src/core/refactor/target";
import { grammar, testRuntime } from "../syntax/testRuntime";

async function definitionAt(languageId: string, text: string, marker: string): Promise<string | undefined> {
  const runtime = await testRuntime();
  const tree = runtime.parse(await grammar(languageId), text.replace("|", ""));
  try {
    const offset = text.indexOf(marker) + marker.indexOf("|");
    const found = enclosingDefinition(tree, languageId, text.replace("|", ""), offset);
    return found === undefined ? undefined : text.replace("|", "").slice(found.start, found.end);
  } finally {
    tree.delete();
  }
}

const python = `import os
from typing import List


class Cart:
    """A cart."""

    @property
    def total(self):
        return sum(item.price for item in self.items)

    def add(self, item):
        self.items.append(item)


def main():
    print(Cart().total)
`;

describe("refactor: target finding", function () {
  describe("the enclosing function or class", function () {
    it("python: the method around the cursor, with its decorator and indentation", async function () {
      const text = python.replace("return sum", "return s|um");
      assert.equal(
        await definitionAt("python", text, "s|um"),
        "    @property\n    def total(self):\n        return sum(item.price for item in self.items)",
      );
    });

    it("python: the class when the cursor is in the class but in no method", async function () {
      const text = python.replace('"""A cart."""', '"""A c|art."""');
      const found = await definitionAt("python", text, "c|art");
      assert.ok(found?.startsWith("class Cart:\n"), found);
      assert.ok(found?.endsWith("self.items.append(item)"), found);
    });

    it("python: nothing at module level", async function () {
      assert.equal(await definitionAt("python", python.replace("import os", "import o|s"), "o|s"), undefined);
    });

    it("typescript: an arrow function with its const, and a method rather than its class", async function () {
      const text =
        "export const double = (x: number): number => {\n  return x * |2;\n};\n\nclass A {\n  run(): void {\n    go();\n  }\n}\n";
      assert.equal(
        await definitionAt("typescript", text, "|2"),
        "export const double = (x: number): number => {\n  return x * 2;\n};",
      );
      const method = text.replace("|", "").replace("go()", "g|o()");
      assert.equal(await definitionAt("typescript", method, "g|o"), "  run(): void {\n    go();\n  }");
    });

    it("javascript: the named function, not the callback inside it; a top-level callback when there is nothing else", async function () {
      const text = "function load(urls) {\n  return urls.map((url) => fet|ch(url));\n}\n";
      assert.equal(
        await definitionAt("javascript", text, "fet|ch"),
        "function load(urls) {\n  return urls.map((url) => fetch(url));\n}",
      );
      const topLevel = "app.get('/', (req, res) => {\n  res.se|nd('ok');\n});\n";
      assert.equal(await definitionAt("javascript", topLevel, "se|nd"), "(req, res) => {\n  res.send('ok');\n}");
    });

    it("java, go, rust, ruby, c# and c", async function () {
      assert.equal(
        await definitionAt("java", "class A {\n    int f() {\n        return |1;\n    }\n}\n", "|1"),
        "    int f() {\n        return 1;\n    }",
      );
      assert.equal(
        await definitionAt("go", "package p\n\nfunc F() int {\n\treturn |1\n}\n", "|1"),
        "func F() int {\n\treturn 1\n}",
      );
      assert.equal(
        await definitionAt("rust", "impl A {\n    fn f(&self) -> i32 {\n        |1\n    }\n}\n", "|1"),
        "    fn f(&self) -> i32 {\n        1\n    }",
      );
      assert.equal(await definitionAt("ruby", "class A\n  def f\n    |1\n  end\nend\n", "|1"), "  def f\n    1\n  end");
      assert.equal(
        await definitionAt("csharp", "class A {\n    int F() {\n        return |1;\n    }\n}\n", "|1"),
        "    int F() {\n        return 1;\n    }",
      );
      assert.equal(
        await definitionAt("c", "int f(void) {\n    return |1;\n}\n", "|1"),
        "int f(void) {\n    return 1;\n}",
      );
    });

    it("no target for a language without a grammar", async function () {
      const runtime = await testRuntime();
      const tree = runtime.parse(await grammar("python"), "def f():\n    pass\n");
      try {
        assert.equal(enclosingDefinition(tree, "plaintext", "def f():\n    pass\n", 12), undefined);
      } finally {
        tree.delete();
      }
    });
  });

  describe("selection widening", function () {
    const text = "def f():\n    x = compute(a, b)\n    return x\n";

    it("takes the indentation and the rest of the line when the selection covers a line's code", function () {
      const start = text.indexOf("x = compute");
      const end = text.indexOf("return x") + "return x".length;
      const widened = normaliseSelection(text, { start, end });
      assert.equal(text.slice(widened.start, widened.end), "    x = compute(a, b)\n    return x");
    });

    it("leaves an expression selected inside a line alone", function () {
      const start = text.indexOf("compute");
      const range = { start, end: start + "compute(a, b)".length };
      assert.deepEqual(normaliseSelection(text, range), range);
    });

    it("keeps a selection that ends at the start of the next line, line break included", function () {
      const start = text.indexOf("    x =");
      const end = text.indexOf("    return");
      const widened = normaliseSelection(text, { start, end });
      assert.equal(text.slice(widened.start, widened.end), "    x = compute(a, b)\n");
    });

    it("stops before a CRLF line break", function () {
      const crlf = "a = 1  \r\nb = 2\r\n";
      assert.deepEqual(normaliseSelection(crlf, { start: 0, end: 5 }), { start: 0, end: 7 });
    });
  });

  describe("the surrounding context", function () {
    it("python: the imports and the enclosing class's first line", async function () {
      const runtime = await testRuntime();
      const tree = runtime.parse(await grammar("python"), python);
      try {
        const start = python.indexOf("    def add");
        const end = python.indexOf("self.items.append(item)") + "self.items.append(item)".length;
        assert.deepEqual(surroundingContext(tree, "python", python, { start, end }), {
          imports: ["import os", "from typing import List"],
          enclosingClassHeader: "class Cart:",
        });
        const main = python.indexOf("def main");
        assert.deepEqual(surroundingContext(tree, "python", python, { start: main, end: python.length }), {
          imports: ["import os", "from typing import List"],
        });
      } finally {
        tree.delete();
      }
    });
  });

  describe("whether the result parses", function () {
    it("flags a proposal that breaks a clean file, and never blames one for errors already there", async function () {
      const runtime = await testRuntime();
      const language = await grammar("python");
      const clean = "def f():\n    return 1\n";
      assert.equal(proposalBreaksParse(runtime, language, clean, "def f():\n    return 2\n"), false);
      assert.equal(proposalBreaksParse(runtime, language, clean, "def f(:\n    return 2\n"), true);
      assert.equal(proposalBreaksParse(runtime, language, "def f(:\n", "def f(:\n    return (\n"), false);
    });
  });
});
