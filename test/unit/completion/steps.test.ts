import assert from "node:assert/strict";
import { fixIndentation } from "../../../extension/src/core/completion/indentation";
import { stopAtRepeatedLines } from "../../../extension/src/core/completion/repetition";
import { stripSpecialTokens } from "../../../extension/src/core/completion/specialTokens";
import { dropSuffixDuplicates, mergeClosersOnLine } from "../../../extension/src/core/completion/suffixOverlap";
import { truncateByIndentation } from "../../../extension/src/core/completion/blockEnd";

const spaces4 = { insertSpaces: true, tabSize: 4 };

describe("completion steps", () => {
  describe("stripSpecialTokens", () => {
    it("cuts a leaked <|fim_middle|> and everything after it", () => {
      assert.equal(stripSpecialTokens("return a + b<|fim_middle|>\n\ndef other():"), "return a + b");
    });
    it("drops leading control tokens and keeps the code", () => {
      assert.equal(stripSpecialTokens("<|fim_middle|>x := 1"), "x := 1");
    });
    it("cuts end-of-text and file separators of other model families", () => {
      assert.equal(stripSpecialTokens("puts name<|endoftext|>"), "puts name");
      assert.equal(stripSpecialTokens("fmt.Println(x)<|file_sep|>main.go"), "fmt.Println(x)");
      assert.equal(stripSpecialTokens("i++; <EOT>"), "i++; ");
      assert.equal(stripSpecialTokens("let y = 2;</s>"), "let y = 2;");
    });
    it("leaves code that merely looks like markup alone", () => {
      assert.equal(stripSpecialTokens("if (a < b && c > d) return '<div>';"), "if (a < b && c > d) return '<div>';");
    });
  });

  describe("stopAtRepeatedLines", () => {
    it("stops where the model repeats the line it just wrote", () => {
      const completion = "total += price\n    total += price\n    total += price";
      assert.equal(stopAtRepeatedLines(completion, "for price in prices:\n    "), "total += price");
    });
    it("stops at a repeated run of lines", () => {
      const completion = 'System.out.println("a");\n        i++;\n        System.out.println("a");\n        i++;';
      assert.equal(
        stopAtRepeatedLines(completion, "while (i < n) {\n        "),
        'System.out.println("a");\n        i++;',
      );
    });
    it("drops a first line that repeats the line above the cursor", () => {
      assert.equal(stopAtRepeatedLines("import os", "import sys\nimport os\n"), "");
    });
    it("keeps closing lines that legitimately repeat", () => {
      const completion = "if x {\n\t\tif y {\n\t\t\tz()\n\t\t}\n\t}";
      assert.equal(stopAtRepeatedLines(completion, "func f() {\n\t"), completion);
    });
  });

  describe("fixIndentation", () => {
    it("strips indentation the cursor already stands on", () => {
      assert.equal(fixIndentation("    return total", "def f():\n    ", spaces4), "return total");
    });
    it("converts tab-indented lines to the file's spaces", () => {
      assert.equal(
        fixIndentation("if (x) {\n\t\ty();\n\t}", "void f() {\n    ", spaces4),
        "if (x) {\n        y();\n    }",
      );
    });
    it("converts spaces to tabs in a tab-indented file", () => {
      assert.equal(
        fixIndentation("if x {\n        y()\n    }", "func f() {\n\t", { insertSpaces: false, tabSize: 4 }),
        "if x {\n\t\ty()\n\t}",
      );
    });
  });

  describe("mergeClosersOnLine", () => {
    it("drops closers the completion repeats from the right of the cursor", () => {
      assert.deepEqual(mergeClosersOnLine('name, "x")', ")\nrest"), { text: 'name, "x"', replaceRight: 0 });
    });
    it("replaces the closers when the completion has more text after them", () => {
      assert.deepEqual(mergeClosersOnLine("a, b);", ")"), { text: "a, b);", replaceRight: 1 });
    });
    it("inserts as-is when the completion does not contain the closers", () => {
      assert.deepEqual(mergeClosersOnLine("a, b", ")"), { text: "a, b", replaceRight: 0 });
    });
  });

  describe("dropSuffixDuplicates", () => {
    it("drops the closing brace the editor already inserted", () => {
      assert.equal(dropSuffixDuplicates("return a + b;\n}", "\n}\n\nfunction g() {}"), "return a + b;");
    });
    it("keeps a nested block's closer that only looks like the suffix's", () => {
      const completion = "for i := range xs {\n\t\tsum += i\n\t}\n\treturn sum";
      assert.equal(dropSuffixDuplicates(completion, "\n}\n"), completion);
    });
    it("drops code the model re-wrote from the suffix", () => {
      assert.equal(
        dropSuffixDuplicates("x = load()\ny = transform(x)\nsave(y)", "\ny = transform(x)\nsave(y)\n"),
        "x = load()",
      );
    });
    it("keeps the line break before a closer that sits right of the cursor", () => {
      assert.equal(dropSuffixDuplicates("\n  return 1;\n}", "}\n"), "\n  return 1;\n");
    });
    it("drops a closing brace when the suffix closes more on its line", () => {
      assert.equal(dropSuffixDuplicates("doThing();\n}", "\n});\n"), "doThing();");
    });
  });

  describe("truncateByIndentation", () => {
    it("ends a Python body at the first dedented line", () => {
      assert.equal(truncateByIndentation("return x * 2\n\n\ndef g():\n    pass", "def f(x):\n    ", 4), "return x * 2");
    });
    it("keeps the closing line of a brace block", () => {
      assert.equal(truncateByIndentation("\n    run();\n}\nmain();", "void go() {", 4), "\n    run();\n}");
    });
    it("keeps Ruby's end", () => {
      assert.equal(truncateByIndentation("puts x\nend\n\ndef other\nend", "def show(x)\n  ", 2), "puts x\nend");
    });
  });
});
