// What each preset sends to the model, the context budget, and where generated tests are written.
import assert from "node:assert/strict";
import path from "node:path";
import { planRefactorPrompt, type RefactorPromptInput } from "../../../extension/src/core/refactor/prompt";
import { outputOf, type RefactorPreset } from "../../../extension/src/core/refactor/presets";
import { testFilePath } from "../../../extension/src/core/refactor/testFile";
import { isChatParams } from "../../../extension/src/core/protocol/host";

const target =
  "def total(items):\n    result = 0\n    for item in items:\n        result += item.price\n    return result\n";

function input(overrides: Partial<RefactorPromptInput> = {}): RefactorPromptInput {
  return {
    preset: "custom",
    languageId: "python",
    instruction: "use sum()",
    diagnostics: [],
    sourceFileName: "cart.py",
    target,
    context: { imports: ["import os"], enclosingClassHeader: "class Cart:" },
    contextSize: 4096,
    ...overrides,
  };
}

function userTurn(overrides: Partial<RefactorPromptInput> = {}): { system: string; user: string; maxTokens: number } {
  const plan = planRefactorPrompt(input(overrides));
  assert.equal(plan.kind, "ready");
  if (plan.kind !== "ready") throw new Error("unreachable");
  assert.ok(isChatParams(plan.params), "the host must accept the params");
  return { system: plan.params.systemPrompt, user: plan.params.turns[0].text, maxTokens: plan.params.maxTokens };
}

describe("refactor: prompts", function () {
  it("holds the target, the language, the imports, the enclosing class and the user's instruction", function () {
    const { system, user } = userTurn();
    assert.match(system, /exactly one fenced code block/);
    assert.ok(user.includes("Language: python"));
    assert.ok(user.includes("```python\nimport os\n```"));
    assert.ok(user.includes("inside `class Cart:`"));
    assert.ok(user.includes(`Code to rewrite:\n\`\`\`python\n${target}\`\`\``));
    assert.ok(user.endsWith("Instruction: use sum()"));
  });

  it("holds the definitions of symbols the target uses from other files", function () {
    const { user } = userTurn({
      context: {
        imports: ["from models import Item"],
        definitions: [{ path: "models.py", text: "class Item:\n    price: float" }],
      },
    });
    assert.ok(
      user.includes(
        "Defined in models.py (for reference, do not rewrite):\n```python\nclass Item:\n    price: float\n```",
      ),
      user,
    );
  });

  it("drops the definitions, then all context, before refusing a target that fits alone", function () {
    const bigDefinition = { path: "big.py", text: "x = 1\n".repeat(2000) };
    const withoutDefinitions = userTurn({ context: { imports: ["import os"], definitions: [bigDefinition] } }).user;
    assert.ok(!withoutDefinitions.includes("big.py"));
    assert.ok(withoutDefinitions.includes("import os"));
    const bigImports = Array.from(
      { length: 40 },
      (_, index) => `from package_${index} import ${"name_".repeat(60)}${index}`,
    );
    const bare = userTurn({
      context: { imports: bigImports, enclosingClassHeader: "class Cart:" },
      contextSize: 1024,
    }).user;
    assert.ok(!bare.includes("package_0") && !bare.includes("class Cart:"));
    assert.ok(bare.includes("Code to rewrite:"));
  });

  it("fences code that itself holds ``` with a longer fence", function () {
    const { user } = userTurn({ target: 'DOC = """\n```\nx\n```\n"""\n' });
    assert.ok(user.includes('````python\nDOC = """\n```\nx\n```\n"""\n````'));
  });

  it("sends CRLF code with LF breaks; the answer's breaks are restored on extraction", function () {
    const { user } = userTurn({ target: target.replace(/\n/g, "\r\n") });
    assert.ok(!user.includes("\r"));
  });

  const presetExpectations: Array<[RefactorPreset, RegExp]> = [
    ["simplify", /Simplify this code.*Keep its behaviour exactly the same/],
    ["addTypes", /type hints \(PEP 484\)/],
    ["addDocs", /a docstring \(PEP 257\).*Do not change the code itself/],
    ["fix", /Fix the bugs in this code/],
    ["generateTests", /unit tests for this code with pytest.*imports it from cart\.py/],
    ["explain", /Explain what this code does/],
  ];
  for (const [preset, expected] of presetExpectations) {
    it(`preset ${preset}: its instruction`, function () {
      assert.match(userTurn({ preset, instruction: "" }).user, expected);
    });
  }

  it("the Add Types preset speaks each language's idiom", function () {
    assert.match(userTurn({ preset: "addTypes", languageId: "javascript" }).user, /JSDoc @param/);
    assert.match(userTurn({ preset: "addTypes", languageId: "typescript" }).user, /explicit type annotations/);
  });

  it("the Fix preset lists the diagnostics on the selection", function () {
    const { user } = userTurn({ preset: "fix", diagnostics: ['line 2: error: "resul" is not defined (Pylance)'] });
    assert.ok(user.includes('- line 2: error: "resul" is not defined (Pylance)'));
  });

  it("Generate Tests and Explain ask for a new file and for prose", function () {
    assert.match(userTurn({ preset: "generateTests" }).system, /complete new file/);
    assert.match(userTurn({ preset: "explain" }).system, /concise Markdown/);
    assert.deepEqual(
      (["custom", "simplify", "addTypes", "addDocs", "fix", "generateTests", "explain"] as const).map(outputOf),
      ["replace", "replace", "replace", "replace", "replace", "newFile", "prose"],
    );
  });

  it("leaves room for an answer as long as the target, and never asks past the context", function () {
    const { maxTokens } = userTurn();
    assert.ok(maxTokens >= Math.ceil(target.length / 3), `maxTokens ${maxTokens}`);
    const small = userTurn({ contextSize: 512 });
    assert.ok(small.maxTokens <= 512);
  });

  it("refuses a 3,000-line selection up front: it exceeds the context", function () {
    const huge = Array.from({ length: 3000 }, (_, index) => `    value_${index} = compute(data[${index}])`).join("\n");
    const plan = planRefactorPrompt(input({ target: huge }));
    assert.equal(plan.kind, "tooLarge");
    if (plan.kind === "tooLarge") {
      assert.equal(plan.contextSize, 4096);
      assert.ok(plan.estimatedTokens > 4096);
    }
  });
});

describe("refactor: where generated tests go", function () {
  const none = (): boolean => false;
  const cases: Array<[string, string, string]> = [
    ["/src/cart.py", "python", "/src/test_cart.py"],
    ["/src/cart.ts", "typescript", "/src/cart.test.ts"],
    ["/src/cart.jsx", "javascriptreact", "/src/cart.test.jsx"],
    ["/src/Cart.java", "java", "/src/CartTest.java"],
    ["/src/cart.go", "go", "/src/cart_test.go"],
    ["/src/Cart.cs", "csharp", "/src/CartTests.cs"],
    ["/src/cart.rb", "ruby", "/src/cart_spec.rb"],
    ["/src/cart.php", "php", "/src/CartTest.php"],
    ["/src/cart.rs", "rust", "/src/cart_test.rs"],
    ["/src/cart.c", "c", "/src/test_cart.c"],
    ["/src/deploy.sh", "shellscript", "/src/deploy.bats"],
  ];
  for (const [source, languageId, expected] of cases) {
    it(`${languageId}: ${path.basename(source)} → ${path.basename(expected)}`, function () {
      assert.equal(testFilePath(source, languageId, none), path.normalize(expected));
    });
  }

  it("numbers the file instead of overwriting an existing one", function () {
    const taken = new Set([path.normalize("/src/test_cart.py"), path.normalize("/src/test_cart2.py")]);
    assert.equal(
      testFilePath("/src/cart.py", "python", (candidate) => taken.has(candidate)),
      path.normalize("/src/test_cart3.py"),
    );
  });
});
