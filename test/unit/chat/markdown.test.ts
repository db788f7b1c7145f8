import assert from "node:assert/strict";
import {
  blockLanguageId,
  codeKey,
  createChatMarkdown,
  extractCodeBlocks,
  stripControlCharacters,
} from "../../../extension/src/core/chat/markdown";

const markdown = createChatMarkdown();

describe("chat markdown code blocks", () => {
  const answer =
    'Try this:\n\n```python\nimport os\nos.system(cmd)\n```\n\nor in a shell:\n\n~~~sh\nrm -rf "$dir"\n~~~\n\n    indented = True\n\nDone.';

  it("finds fenced and indented blocks in order, with their info and code", () => {
    const blocks = extractCodeBlocks(markdown, answer, true);
    assert.deepEqual(
      blocks.map(({ index, info, code, closed }) => ({ index, info, code, closed })),
      [
        { index: 0, info: "python", code: "import os\nos.system(cmd)\n", closed: true },
        { index: 1, info: "sh", code: 'rm -rf "$dir"\n', closed: true },
        { index: 2, info: "", code: "indented = True\n", closed: true },
      ],
    );
  });

  it("while streaming, a fence is closed only once its closing line is complete", () => {
    const open = "Here:\n\n```js\nconst a = 1;\n";
    assert.deepEqual(
      extractCodeBlocks(markdown, open, false).map((block) => block.closed),
      [false],
    );
    assert.deepEqual(
      extractCodeBlocks(markdown, `${open}\`\`\``, false).map((block) => block.closed),
      [false],
    );
    assert.deepEqual(
      extractCodeBlocks(markdown, `${open}\`\`\`\n`, false).map((block) => block.closed),
      [true],
    );
    // A shorter fence does not close a longer one.
    assert.deepEqual(
      extractCodeBlocks(markdown, "````md\n```\ninner\n```\n", false).map((block) => block.closed),
      [false],
    );
    // The stream's end closes whatever is open.
    assert.deepEqual(
      extractCodeBlocks(markdown, open, true).map((block) => block.closed),
      [true],
    );
  });

  it("does not take code in raw HTML or inline code for blocks", () => {
    assert.deepEqual(extractCodeBlocks(markdown, "<pre><code>x</code></pre> and `inline`", true), []);
  });

  it("keys blocks by content", () => {
    assert.equal(codeKey("abc"), codeKey("abc"));
    assert.notEqual(codeKey("abc"), codeKey("abd"));
    assert.notEqual(codeKey("abc"), codeKey("abc "));
  });

  it("maps fence languages to VS Code language ids, falling back to the question's language", () => {
    assert.equal(blockLanguageId("py", undefined), "python");
    assert.equal(blockLanguageId("TypeScript {1,3}", undefined), "typescript");
    assert.equal(blockLanguageId("c++", undefined), "cpp");
    assert.equal(blockLanguageId("bash", undefined), "shellscript");
    assert.equal(blockLanguageId("", "java"), "java");
    assert.equal(blockLanguageId("", undefined), undefined);
    assert.equal(blockLanguageId("haskell", "python"), "haskell");
  });

  it("strips control characters but keeps tabs and line ends", () => {
    assert.equal(stripControlCharacters("a\u0000b\u0007c\u001b[31md\te\r\nf\u007f"), "abc[31md\te\r\nf");
  });
});
