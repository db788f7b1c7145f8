import assert from "node:assert/strict";
import { decideMode, type CompletionMode } from "../../../extension/src/core/completion/mode";
import { postProcess, type PostProcessResult } from "../../../extension/src/core/completion/postProcess";
import { decideTrigger } from "../../../extension/src/core/completion/trigger";
import { insertionParserFor, testRuntime, grammar } from "../syntax/testRuntime";

const cursorMark = "█";

/** Splits a document written with a █ at the cursor. */
function atCursor(document: string): { prefix: string; suffix: string } {
  const index = document.indexOf(cursorMark);
  assert.ok(index >= 0, "the document needs a cursor mark");
  return { prefix: document.slice(0, index), suffix: document.slice(index + cursorMark.length) };
}

async function modeOf(languageId: string, document: string): Promise<CompletionMode> {
  const { prefix, suffix } = atCursor(document);
  const tree = (await testRuntime()).parse(await grammar(languageId), prefix + suffix);
  try {
    return decideMode(prefix, suffix, tree, 4);
  } finally {
    tree.delete();
  }
}

interface Case {
  languageId: string;
  document: string;
  raw: string;
  tabSize?: number;
  insertSpaces?: boolean;
}

async function run(test: Case): Promise<PostProcessResult> {
  const { prefix, suffix } = atCursor(test.document);
  const syntax = await insertionParserFor(test.languageId, prefix, suffix);
  const style = { insertSpaces: test.insertSpaces ?? true, tabSize: test.tabSize ?? 4 };
  try {
    const mode = decideMode(prefix, suffix, syntax.tree, style.tabSize);
    return postProcess({ raw: test.raw, prefix, suffix, mode, style, syntax: syntax.parser });
  } finally {
    syntax.dispose();
  }
}

async function shown(test: Case): Promise<string> {
  const result = await run(test);
  assert.ok(result.show, `expected a suggestion, got ${JSON.stringify(result)}`);
  return result.insertion.text;
}

describe("completion pipeline on real code", () => {
  describe("trigger", () => {
    it("does not trigger automatically in the middle of a word", () => {
      assert.deepEqual(decideTrigger("const val", "ue = 1;", "automatic"), { trigger: false, reason: "midWord" });
    });
    it("does not trigger automatically with code right of the cursor", () => {
      assert.deepEqual(decideTrigger("x = ", "compute(y)", "automatic"), {
        trigger: false,
        reason: "codeRightOfCursor",
      });
    });
    it("triggers before closing brackets and quotes", () => {
      assert.deepEqual(decideTrigger('print("', '")', "automatic"), { trigger: true });
      assert.deepEqual(decideTrigger("foo(a, ", ");", "automatic"), { trigger: true });
    });
    it("always triggers on a manual request", () => {
      assert.deepEqual(decideTrigger("const val", "ue = 1;", "manual"), { trigger: true });
    });
  });

  describe("mode from the syntax tree", () => {
    it("is multi-line at the start of an empty Python body", async () => {
      assert.equal(await modeOf("python", "def area(r):\n    █\n\nprint(area(2))\n"), "multiLine");
    });
    it("is multi-line inside an empty brace block the editor closed", async () => {
      assert.equal(await modeOf("typescript", "function area(r: number): number {\n    █\n}\n"), "multiLine");
    });
    it("is multi-line right after an opening brace", async () => {
      assert.equal(await modeOf("go", "func area(r float64) float64 {█}\n"), "multiLine");
    });
    it("is single-line at the end of a statement in a body with code below", async () => {
      assert.equal(
        await modeOf("java", "class A {\n    int f() {\n        int x = █\n        return x;\n    }\n}\n"),
        "singleLine",
      );
    });
    it("is single-line on a blank line between statements", async () => {
      assert.equal(await modeOf("rust", "fn f() {\n    let a = 1;\n    █\n    a\n}\n"), "singleLine");
    });
    it("is multi-line under a comment that opens the body", async () => {
      assert.equal(
        await modeOf("python", "def dedupe(xs):\n    # keep the first of each\n    █\n\ndef g():\n    pass\n"),
        "multiLine",
      );
    });
    it("is multi-line under a header that wraps onto deeper lines", async () => {
      assert.equal(await modeOf("python", "class Spec(Base,\n           root=True):\n    █\n"), "multiLine");
    });
    it("is single-line after `import {`", async () => {
      assert.equal(await modeOf("typescript", 'import {█} from "./a";\n'), "singleLine");
    });
    it("is single-line inside a docstring even when it looks like a body", async () => {
      assert.equal(await modeOf("python", 'def f():\n    """Explain:\n        █\n    """\n'), "singleLine");
    });
  });

  describe("multi-line truncation at the end of the opened block", () => {
    it("Python: keeps the whole body and drops the next function", async () => {
      const text = await shown({
        languageId: "python",
        document: "def mean(values):\n    █\n\n\ndef main():\n    pass\n",
        raw: "if not values:\n        return 0.0\n    total = sum(values)\n    return total / len(values)\n\n\ndef median(values):\n    return sorted(values)[len(values) // 2]\n",
      });
      assert.equal(text, "if not values:\n        return 0.0\n    total = sum(values)\n    return total / len(values)");
    });
    it("TypeScript: drops the closing brace the editor inserted and the code after it", async () => {
      const text = await shown({
        languageId: "typescript",
        document: "export function clamp(x: number, lo: number, hi: number): number {\n    █\n}\n",
        raw: "if (x < lo) {\n        return lo;\n    }\n    return Math.min(x, hi);\n}\n\nexport function lerp(a: number, b: number, t: number): number {\n    return a + (b - a) * t;\n}\n",
      });
      assert.equal(text, "if (x < lo) {\n        return lo;\n    }\n    return Math.min(x, hi);");
    });
    it("works the same on the text around the cursor as on the whole document, given the cursor's place in it", async () => {
      const filler = Array.from({ length: 300 }, (_, index) => `export const limit${index} = ${index};\n`).join("");
      const { prefix, suffix } = atCursor(
        `${filler}export function clamp(x: number, lo: number, hi: number): number {\n    █\n}\n${filler}`,
      );
      const raw =
        "if (x < lo) {\n        return lo;\n    }\n    return Math.min(x, hi);\n}\n\nexport const next = 1;\n";
      const syntax = await insertionParserFor("typescript", prefix, suffix);
      const style = { insertSpaces: true, tabSize: 4 };
      try {
        const window = { prefix: prefix.slice(-300), suffix: suffix.slice(0, 300) };
        const mode = decideMode(window.prefix, window.suffix, syntax.tree, style.tabSize, syntax.parser.cursor);
        assert.equal(mode, "multiLine");
        const around = postProcess({ raw, ...window, mode, style, syntax: syntax.parser });
        const whole = postProcess({
          raw,
          prefix,
          suffix,
          mode: decideMode(prefix, suffix, syntax.tree, style.tabSize),
          style,
          syntax: syntax.parser,
        });
        assert.deepEqual(around, whole);
        assert.ok(
          around.show &&
            around.insertion.text === "if (x < lo) {\n        return lo;\n    }\n    return Math.min(x, hi);",
        );
      } finally {
        syntax.dispose();
      }
    });
    it("Go: a multi-line completion is not cut at a nested block's closer (cut early)", async () => {
      const text = await shown({
        languageId: "go",
        document: "func sum(xs []int) int {\n\t█\n}\n",
        insertSpaces: false,
        raw: "total := 0\n\tfor _, x := range xs {\n\t\ttotal += x\n\t}\n\treturn total\n}\n",
      });
      assert.equal(text, "total := 0\n\tfor _, x := range xs {\n\t\ttotal += x\n\t}\n\treturn total");
    });
    it("Rust: completes after an opening brace with nothing closed yet", async () => {
      const text = await shown({
        languageId: "rust",
        document: "fn square(x: i32) -> i32 {█\n\nfn main() {}\n",
        raw: "\n    x * x\n}\n\nfn cube(x: i32) -> i32 {\n    x * x * x\n}\n",
      });
      assert.equal(text, "\n    x * x\n}");
    });
    it("Ruby: ends at the method's own end", async () => {
      const text = await shown({
        languageId: "ruby",
        document: "def greet(name)\n  █\nend\n",
        tabSize: 2,
        raw: 'message = "Hello, #{name}"\n  puts message\nend\n\ndef farewell(name)\n  puts "Bye"\nend\n',
      });
      assert.equal(text, 'message = "Hello, #{name}"\n  puts message');
    });
    it("Java: removes the duplicated closing brackets of a lambda body", async () => {
      const text = await shown({
        languageId: "java",
        document: "class A {\n    void run() {\n        pool.submit(() -> {\n            █\n        });\n    }\n}\n",
        raw: "work();\n        });\n    }\n}\n",
      });
      assert.equal(text, "work();");
    });
    it("Python: keeps a nested statement that only matches the suffix's next line at another depth", async () => {
      const text = await shown({
        languageId: "python",
        document: "def f(args):\n    for arg in args:\n        █\n    if index is not None:\n        use(index)\n",
        raw: "if arg:\n            if index is not None:\n                raise TypeError('twice')\n            index = arg\n    if index is not None:\n        use(index)\n",
      });
      assert.equal(
        text,
        "if arg:\n            if index is not None:\n                raise TypeError('twice')\n            index = arg",
      );
    });
  });

  describe("single-line completions", () => {
    it("C: drops the duplicated closing bracket and semicolon already right of the cursor", async () => {
      const text = await shown({
        languageId: "c",
        document: 'int main(void) {\n    printf("%d\\n", █);\n}\n',
        raw: "count);",
      });
      assert.equal(text, "count");
    });
    it("Python: takes the rest of the line only", async () => {
      const text = await shown({
        languageId: "python",
        document: "def f(xs):\n    total = █\n    return total\n",
        raw: "sum(xs)\n    return total\n",
      });
      assert.equal(text, "sum(xs)");
    });
    it("JavaScript: strips a leaked <|fim_middle|>", async () => {
      const text = await shown({
        languageId: "javascript",
        document: "const items = list.map((x) => █);\n",
        raw: "x * 2<|fim_middle|>);\nconsole.log(items);",
      });
      assert.equal(text, "x * 2");
    });
    it("C#: fixes the indentation of a first line that repeats the cursor's", async () => {
      const text = await shown({
        languageId: "csharp",
        document: "class A {\n    int F(int x) {\n        █\n    }\n}\n",
        raw: "        return x + 1;\n    }\n}",
      });
      assert.equal(text, "return x + 1;");
    });
    it("PHP: stops at a repeated line", async () => {
      const text = await shown({
        languageId: "php",
        document: "<?php\nfunction f($xs) {\n    █\n}\n",
        raw: "$total = 0;\n    $total = 0;\n    $total = 0;\n    return $total;\n}\n",
      });
      assert.equal(text, "$total = 0;");
    });
  });

  describe("syntax check", () => {
    it("rejects a completion that turns an error-free tree into one with errors", async () => {
      const result = await run({ languageId: "typescript", document: "const x = [1, 2];\n█\n", raw: "function (" });
      assert.deepEqual(result, { show: false, reason: "breaksSyntax" });
    });
    it("accepts the same kind of edit in a document that already had errors", async () => {
      const result = await run({ languageId: "typescript", document: "const x = [1, 2;\n█\n", raw: "const y = (" });
      assert.ok(result.show);
    });
    it("rejects a Python line with an unbalanced bracket", async () => {
      const result = await run({ languageId: "python", document: "values = [1, 2]\n█\n", raw: "print(values[0)" });
      assert.deepEqual(result, { show: false, reason: "breaksSyntax" });
    });
  });
});
