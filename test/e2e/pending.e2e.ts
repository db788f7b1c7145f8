// Issue 5's scenarios whose features have not landed yet. Each is reported as pending (never as passed), with the
// issue that brings its feature, and becomes a real test in the feature's own *.e2e.ts file when that lands.
const issue5 = "issue 5 (The real thing: Llama Assist in a real VS Code in a real browser)";

describe(`${issue5}: scenarios waiting for their feature`, function () {
  describe("chat, waiting for a scripted chat answer with insecure code (test/fixtures/scriptedModel.ts)", function () {
    it.skip("the Shield banner appears on an insecure block");
  });
});
