// Apply from chat: the definition a code block rewrites, found by name in a document with tree-sitter.
import assert from "node:assert/strict";
import type { Tree } from "web-tree-sitter";
import { definitionsNamed, reindented, soleDefinitionName } from "../../../extension/src/core/refactor/chatApply";
import { grammar, testRuntime } from "../syntax/testRuntime";

async function withTree<T>(languageId: string, text: string, use: (tree: Tree) => T): Promise<T> {
  const runtime = await testRuntime();
  const tree = runtime.parse(await grammar(languageId), text);
  try {
    return use(tree);
  } finally {
    tree.delete();
  }
}

const cart = `import os


class Cart:
    @property
    def total(self):
        return sum(item.price for item in self.items)

    def add(self, item):
        self.items.append(item)


def main():
    print(Cart().total)
`;

describe("apply from chat: where a code block goes", function () {
  it("names the one definition a block holds, imports and comments aside", async function () {
    const block =
      "import math\n\n# Rounded now.\ndef total(self):\n    return round(sum(i.price for i in self.items), 2)\n";
    assert.equal(await withTree("python", block, (tree) => soleDefinitionName(tree, "python")), "total");
    const arrow = "export const add = (a: number, b: number): number => a + b;\n";
    assert.equal(await withTree("typescript", arrow, (tree) => soleDefinitionName(tree, "typescript")), "add");
    const c = "static int add(int a, int b) {\n  return a + b;\n}\n";
    assert.equal(await withTree("c", c, (tree) => soleDefinitionName(tree, "c")), "add");
  });

  it("names nothing for statements or for two definitions", async function () {
    assert.equal(
      await withTree("python", "x = 1\nprint(x)\n", (tree) => soleDefinitionName(tree, "python")),
      undefined,
    );
    const two = "def a():\n    pass\n\ndef b():\n    pass\n";
    assert.equal(await withTree("python", two, (tree) => soleDefinitionName(tree, "python")), undefined);
    const code = "def a():\n    pass\n";
    assert.equal(await withTree("python", code, (tree) => soleDefinitionName(tree, "markdown")), undefined);
  });

  it("finds a method by name inside its class, with its decorator and indentation", async function () {
    const ranges = await withTree("python", cart, (tree) => definitionsNamed(tree, "python", cart, "total"));
    assert.equal(ranges.length, 1);
    assert.equal(
      cart.slice(ranges[0].start, ranges[0].end),
      "    @property\n    def total(self):\n        return sum(item.price for item in self.items)",
    );
    assert.equal((await withTree("python", cart, (tree) => definitionsNamed(tree, "python", cart, "Cart"))).length, 1);
    assert.deepEqual(await withTree("python", cart, (tree) => definitionsNamed(tree, "python", cart, "missing")), []);
  });

  it("re-indents a block to the definition's depth, keeping its own nesting", function () {
    assert.equal(reindented("def f():\n    return 1\n\n", "    "), "    def f():\n        return 1");
    assert.equal(reindented("        x()\n      y()\n", ""), "  x()\ny()");
  });
});
