import assert from "node:assert/strict";
import {
  buildFimPrompt,
  customFimTemplateProblem,
  fimTemplates,
} from "../../../extension/src/core/remote/fimTemplates";

describe("FIM templates", function () {
  it("writes each family's format", function () {
    const prompts = Object.fromEntries(
      Object.entries(fimTemplates).map(([name, template]) => [name, buildFimPrompt(template, "def f(", "):\n")]),
    );
    assert.deepEqual(prompts, {
      qwen: "<|fim_prefix|>def f(<|fim_suffix|>):\n<|fim_middle|>",
      codellama: "<PRE> def f( <SUF>):\n <MID>",
      starcoder: "<fim_prefix>def f(<fim_suffix>):\n<fim_middle>",
      deepseek: "<｜fim▁begin｜>def f(<｜fim▁hole｜>):\n<｜fim▁end｜>",
    });
  });

  it("does not substitute placeholders that the code itself contains", function () {
    assert.equal(buildFimPrompt("[{prefix}|{suffix}]", 'f"{suffix}"', "$&{prefix}"), '[f"{suffix}"|$&{prefix}]');
  });

  it("uses a custom template with its placeholders anywhere", function () {
    assert.equal(buildFimPrompt("<s>{suffix}</s><p>{prefix}</p>", "a", "b"), "<s>b</s><p>a</p>");
  });

  it("says what a custom template lacks", function () {
    assert.match(customFimTemplateProblem("<p>{suffix}") ?? "", /\{prefix\}/);
    assert.match(customFimTemplateProblem("<p>{prefix}") ?? "", /\{suffix\}/);
    assert.equal(customFimTemplateProblem("{prefix}{suffix}"), undefined);
  });
});
