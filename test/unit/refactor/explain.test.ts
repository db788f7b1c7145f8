import assert from "node:assert/strict";
import { chatTurnsOf } from "../../../extension/src/core/chat/conversation";
import { explainRequest, type ExplainTarget } from "../../../extension/src/core/refactor/explain";

const greet = 'def greet(name):\n    return "Hi, " + name';

function target(overrides: Partial<ExplainTarget> = {}): ExplainTarget {
  return {
    relativePath: "src/greet.py",
    languageId: "python",
    code: greet,
    firstLine: 4,
    lastLine: 5,
    context: { imports: [] },
    ...overrides,
  };
}

describe("Explain in the chat: the request", () => {
  it("asks the Explain instruction with the target code as one chip named by file and lines", () => {
    const request = explainRequest(target());
    assert.match(request.prompt, /^Explain what this code does/);
    assert.deepEqual(request.attachments, [{ label: "src/greet.py:4-5", languageId: "python", content: greet }]);
  });

  it("names a single line once", () => {
    assert.equal(explainRequest(target({ firstLine: 7, lastLine: 7 })).attachments[0].label, "src/greet.py:7");
  });

  it("adds the imports, the enclosing class and other files' definitions as a context chip before the code", () => {
    const request = explainRequest(
      target({
        context: {
          imports: ["import sys", "from util import shout"],
          enclosingClassHeader: "class Greeter:",
          definitions: [{ path: "util.py", text: "def shout(text): ..." }],
        },
      }),
    );
    assert.deepEqual(
      request.attachments.map((attachment) => attachment.label),
      ["src/greet.py (context)", "src/greet.py:4-5"],
    );
    assert.equal(
      request.attachments[0].content,
      "import sys\nfrom util import shout\n\nclass Greeter:\n\ndef shout(text): ...",
    );
  });

  it("leaves the context chip out when there is no context", () => {
    assert.equal(explainRequest(target({ context: { imports: [], definitions: [] } })).attachments.length, 1);
  });

  it("becomes a user turn that holds the code fenced in its language, then the instruction", () => {
    const request = explainRequest(target());
    const [turn] = chatTurnsOf([
      { id: "1", role: "user", text: request.prompt, status: "complete", attachments: request.attachments },
    ]);
    assert.equal(turn.role, "user");
    assert.ok(
      turn.text.startsWith(`src/greet.py:4-5:\n\`\`\`python\n${greet}\n\`\`\`\n\nExplain what this code does`),
      turn.text,
    );
  });
});
