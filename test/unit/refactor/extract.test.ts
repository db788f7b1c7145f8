// Code extraction on realistic model answers: what the preview shows must be exactly the code, fitted to the file.
import assert from "node:assert/strict";
import { extractCode, type ExtractionInput } from "../../../extension/src/core/refactor/extract";
import { fencedBlocks } from "../../../extension/src/core/refactor/fences";

function extract(
  answer: string,
  original: string,
  overrides: Partial<ExtractionInput> = {},
): ReturnType<typeof extractCode> {
  return extractCode({
    answer,
    original,
    languageId: "python",
    mode: "rewrite",
    startsMidLine: false,
    documentLineEnding: "\n",
    ...overrides,
  });
}

function code(answer: string, original: string, overrides: Partial<ExtractionInput> = {}): string {
  const result = extract(answer, original, overrides);
  assert.equal(result.kind, "code", `expected code, got ${result.kind}`);
  return result.kind === "code" ? result.code : "";
}

const pyOriginal =
  "def total(items):\n    result = 0\n    for item in items:\n        result = result + item.price\n    return result\n";
const pySimplified = "def total(items):\n    return sum(item.price for item in items)\n";

describe("refactor: code extraction from model answers", function () {
  it("1. a bare python fence", function () {
    assert.equal(
      code("```python\ndef total(items):\n    return sum(item.price for item in items)\n```", pyOriginal),
      pySimplified,
    );
  });

  it("2. a fence without a language tag", function () {
    assert.equal(
      code("```\ndef total(items):\n    return sum(item.price for item in items)\n```", pyOriginal),
      pySimplified,
    );
  });

  it("3. prose before and after the fence", function () {
    const answer =
      "Sure! Here's a simpler version of the function:\n\n```py\ndef total(items):\n    return sum(item.price for item in items)\n```\n\nThis uses a generator expression, which avoids the temporary variable.";
    assert.equal(code(answer, pyOriginal), pySimplified);
  });

  it("4. the original quoted first, then the rewrite: the rewrite wins", function () {
    const answer = `Your code:\n\n\`\`\`python\n${pyOriginal}\`\`\`\n\nSimplified:\n\n\`\`\`python\n${pySimplified}\`\`\``;
    assert.equal(code(answer, pyOriginal), pySimplified);
  });

  it("5. a rewrite followed by a usage example: the rewrite wins", function () {
    const answer = `\`\`\`python\n${pySimplified}\`\`\`\n\nUsage:\n\n\`\`\`python\nprint(total(cart.items))\n\`\`\``;
    assert.equal(code(answer, pyOriginal), pySimplified);
  });

  it("6. a shell block for installing something is never taken for the code", function () {
    const answer = `First install it:\n\n\`\`\`bash\npip install rich\n\`\`\`\n\nThen:\n\n\`\`\`python\n${pySimplified}\`\`\``;
    assert.equal(code(answer, pyOriginal), pySimplified);
  });

  it("7. a method inside a class, answered at column 0, is indented back into the class", function () {
    const original = "    def area(self):\n        return self.width * self.height\n";
    const answer = "```python\ndef area(self) -> float:\n    return self.width * self.height\n```";
    assert.equal(code(answer, original), "    def area(self) -> float:\n        return self.width * self.height\n");
  });

  it("8. a method answered with only its first line dedented keeps the body's own indentation", function () {
    const original = "    def area(self):\n        return self.width * self.height\n";
    const answer = "```python\ndef area(self) -> float:\n        return self.width * self.height\n```";
    assert.equal(code(answer, original), "    def area(self) -> float:\n        return self.width * self.height\n");
  });

  it("9. an answer indented too deep is brought back to the original's level", function () {
    const answer = "```python\n        def total(items):\n            return sum(item.price for item in items)\n```";
    assert.equal(code(answer, pyOriginal), pySimplified);
  });

  it("10. tabs in the file stay tabs though the model answers with spaces", function () {
    const original =
      "func Sum(xs []int) int {\n\ttotal := 0\n\tfor _, x := range xs {\n\t\ttotal += x\n\t}\n\treturn total\n}\n";
    const answer =
      "```go\nfunc Sum(xs []int) int {\n    total := 0\n    for _, x := range xs {\n        total += x\n    }\n    return total\n}\n\n// Sum adds the numbers.\n```";
    const result = code(answer, original, { languageId: "go" });
    assert.equal(
      result,
      "func Sum(xs []int) int {\n\ttotal := 0\n\tfor _, x := range xs {\n\t\ttotal += x\n\t}\n\treturn total\n}\n\n// Sum adds the numbers.\n",
    );
  });

  it("11. a two-space file stays two-space though the model answers with four", function () {
    const original = "function add(a, b) {\n  const sum = a + b;\n  return sum;\n}";
    const answer = "```javascript\nfunction add(a, b) {\n    return a + b;\n}\n```";
    assert.equal(code(answer, original, { languageId: "javascript" }), "function add(a, b) {\n  return a + b;\n}");
  });

  it("12. CRLF line endings of the original are kept", function () {
    const original =
      "def total(items):\r\n    result = 0\r\n    for item in items:\r\n        result += item\r\n    return result\r\n";
    const answer = "```python\ndef total(items):\n    return sum(items)\n```";
    assert.equal(code(answer, original), "def total(items):\r\n    return sum(items)\r\n");
  });

  it("13. LF answers in a CRLF document stay CRLF even for a one-line target", function () {
    const answer = "```python\nx = compute(a,\n            b)\n```";
    assert.equal(code(answer, "x = compute(a, b)", { documentLineEnding: "\r\n" }), "x = compute(a,\r\n            b)");
  });

  it("14. an original without a final newline gets none; one with it keeps it", function () {
    const answer = "```python\nreturn sum(items)\n```";
    assert.equal(code(answer, "    return total(items)", {}), "    return sum(items)");
    assert.equal(code(answer, "    return total(items)\n", {}), "    return sum(items)\n");
  });

  it("15. an expression selected inside a line gets no indentation on its first line", function () {
    const original = "sum(\n        item.price\n        for item in items\n    )";
    const answer = "```python\nsum(item.price for item in items)\n```";
    assert.equal(code(answer, original, { startsMidLine: true }), "sum(item.price for item in items)");
  });

  it("16. an answer without fences: chatter before and after is dropped", function () {
    const answer =
      "Here is the simplified function:\n\ndef total(items):\n    return sum(item.price for item in items)\n\nThis version is shorter and easier to read.";
    assert.equal(code(answer, pyOriginal), pySimplified);
  });

  it("17. an answer without fences and without chatter is all code", function () {
    assert.equal(code("def total(items):\n    return sum(item.price for item in items)", pyOriginal), pySimplified);
  });

  it("17b. an unfenced answer keeps code lines that read like words", function () {
    const original = "class Person\n  attr_reader :name\nend\n";
    const answer = "Here's the change:\n\nattr_reader :name, :age\nattr_writer :age\n";
    assert.equal(
      code(answer, original, { languageId: "ruby", startsMidLine: false }),
      "attr_reader :name, :age\nattr_writer :age\n",
    );
    assert.equal(
      code("items.each do |item|\n  puts item\nend", "x\n", { languageId: "ruby" }),
      "items.each do |item|\n  puts item\nend\n",
    );
  });

  it("18. a tilde fence and a longer backtick fence that holds ``` inside", function () {
    assert.equal(
      code("~~~python\ndef total(items):\n    return sum(item.price for item in items)\n~~~", pyOriginal),
      pySimplified,
    );
    const markdownInCode = 'def doc():\n    return """\n```\nexample\n```\n"""\n';
    const answer = `\`\`\`\`python\n${markdownInCode}\`\`\`\``;
    assert.equal(code(answer, 'def doc():\n    return ""\n'), markdownInCode);
  });

  it("19. a fence indented inside a list item is read without the list's indentation", function () {
    const answer =
      "1. Replace the loop:\n\n   ```python\n   def total(items):\n       return sum(item.price for item in items)\n   ```\n";
    assert.equal(code(answer, pyOriginal), pySimplified);
  });

  it("20. an unterminated fence (answer ended in it) still yields its code", function () {
    assert.equal(
      code("```python\ndef total(items):\n    return sum(item.price for item in items)\n", pyOriginal),
      pySimplified,
    );
  });

  it("21. TypeScript answered in a javascript-tagged block is accepted", function () {
    const original = "function id(x) {\n  return x;\n}\n";
    const answer = "```javascript\nfunction id<T>(x: T): T {\n  return x;\n}\n```";
    assert.equal(code(answer, original, { languageId: "typescript" }), "function id<T>(x: T): T {\n  return x;\n}\n");
  });

  it("22. Java inside a class, answered with trailing whitespace, is re-indented and trimmed", function () {
    const original = "    public int size() {\n        return items.size();\n    }\n";
    const answer =
      "Here you go:\n```java\n/** The number of items. */   \npublic int size() {\n    return items.size();\n}\n```";
    assert.equal(
      code(answer, original, { languageId: "java" }),
      "    /** The number of items. */\n    public int size() {\n        return items.size();\n    }\n",
    );
  });

  it("23. blank lines inside the code stay, without stray indentation", function () {
    const original = "    def a(self):\n        pass\n";
    const answer = "```python\ndef a(self):\n    x = 1\n    \n    return x\n```";
    assert.equal(code(answer, original), "    def a(self):\n        x = 1\n\n        return x\n");
  });

  it("24. generated tests (a new file) take the largest block and no borrowed indentation", function () {
    const answer =
      "```bash\npytest\n```\n\n```python\nfrom cart import total\n\n\ndef test_total():\n    assert total([]) == 0\n```\n\n```python\ntotal([])\n```";
    assert.equal(
      code(answer, "", { mode: "newFile" }),
      "from cart import total\n\n\ndef test_total():\n    assert total([]) == 0\n",
    );
  });

  describe("answers that must change nothing", function () {
    it("an empty answer", function () {
      assert.equal(extract("", pyOriginal).kind, "empty");
      assert.equal(extract("  \n\n ", pyOriginal).kind, "empty");
    });

    it("an answer with only prose", function () {
      assert.equal(
        extract("I cannot simplify this function any further, it is already minimal.", pyOriginal).kind,
        "noCode",
      );
      assert.equal(extract("The code is already as simple as it can be", pyOriginal).kind, "noCode");
    });

    it("an answer whose only block is in another language", function () {
      assert.equal(extract("Run this:\n```bash\npip install -U pip\n```", pyOriginal).kind, "noCode");
    });

    it("an answer whose block is empty", function () {
      assert.equal(extract("```python\n```", pyOriginal).kind, "noCode");
    });

    it("the original unchanged, even with different indentation or line endings", function () {
      assert.equal(extract(`\`\`\`python\n${pyOriginal}\`\`\``, pyOriginal).kind, "unchanged");
      const indented = pyOriginal
        .split("\n")
        .map((line) => (line === "" ? "" : `  ${line}`))
        .join("\n");
      assert.equal(extract(`\`\`\`\n${indented}\`\`\``, pyOriginal).kind, "unchanged");
      assert.equal(extract(`\`\`\`python\n${pyOriginal}\`\`\``, pyOriginal.replace(/\n/g, "\r\n")).kind, "unchanged");
    });
  });

  describe("fence parsing", function () {
    it("finds each block with its tag and whether it was closed", function () {
      const blocks = fencedBlocks("a\n```Python title\nx = 1\n```\nb\n```\ny\n");
      assert.deepEqual(blocks, [
        { tag: "python", code: "x = 1", closed: true },
        { tag: "", code: "y\n", closed: false },
      ]);
    });

    it("a shorter fence does not close a longer one", function () {
      assert.deepEqual(fencedBlocks("````md\n```\ninner\n```\n````"), [
        { tag: "md", code: "```\ninner\n```", closed: true },
      ]);
    });
  });
});
