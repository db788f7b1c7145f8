// The re-application rule: an accepted refactor only ever replaces the exact text that was sent.
import assert from "node:assert/strict";
import { relocateTarget, type TargetSnapshot } from "../../../extension/src/core/refactor/reapply";

const document = "import os\n\ndef a():\n    return 1\n\ndef b():\n    return 2\n";
const targetText = "def b():\n    return 2\n";

function snapshot(overrides: Partial<TargetSnapshot> = {}): TargetSnapshot {
  const start = document.indexOf(targetText);
  return {
    start,
    end: start + targetText.length,
    text: targetText,
    version: 3,
    documentLength: document.length,
    ...overrides,
  };
}

describe("refactor: re-applying after the document changed", function () {
  it("applies in place when the document did not change", function () {
    assert.deepEqual(relocateTarget(snapshot(), { text: document, version: 3 }), {
      kind: "inPlace",
      start: snapshot().start,
    });
  });

  it("applies in place when only text after the target changed", function () {
    const changed = `${document}\nprint(b())\n`;
    assert.deepEqual(relocateTarget(snapshot(), { text: changed, version: 4 }), {
      kind: "inPlace",
      start: snapshot().start,
    });
  });

  it("follows the target when lines were added above it", function () {
    const changed = `import sys\n${document}`;
    assert.deepEqual(relocateTarget(snapshot(), { text: changed, version: 4 }), {
      kind: "moved",
      start: snapshot().start + 11,
    });
  });

  it("follows the target when lines were removed above it and elsewhere", function () {
    const changed = document.replace("import os\n\n", "").replace("return 1", "return 10");
    assert.deepEqual(relocateTarget(snapshot(), { text: changed, version: 5 }), {
      kind: "moved",
      start: changed.indexOf(targetText),
    });
  });

  it("refuses when the target itself was edited", function () {
    const changed = document.replace("return 2", "return 3");
    assert.deepEqual(relocateTarget(snapshot(), { text: changed, version: 4 }), { kind: "changed" });
  });

  it("refuses when the target was deleted", function () {
    assert.deepEqual(relocateTarget(snapshot(), { text: "import os\n", version: 4 }), { kind: "changed" });
  });

  it("refuses when the target's text now appears twice and neither place is where it was", function () {
    const changed = `${targetText}\n${document.replace(targetText, "")}\n${targetText}\nprint(b())\n`;
    assert.deepEqual(relocateTarget(snapshot(), { text: changed, version: 4 }), { kind: "ambiguous" });
  });

  it("refuses a blank target that moved: blank text matches anywhere", function () {
    const blank = { start: 10, end: 11, text: "\n", version: 1, documentLength: document.length };
    assert.deepEqual(relocateTarget(blank, { text: `x\n${document.slice(0, 10)}y${document.slice(11)}`, version: 2 }), {
      kind: "changed",
    });
  });
});
