import assert from "node:assert/strict";
import {
  MalformedStreamError,
  NdjsonDecoder,
  type SseEvent,
  SseDecoder,
} from "../../../extension/src/core/remote/streams";

/** Feeds `bytes` in pieces cut at `cuts`, so boundaries fall inside lines, field names and UTF-8 characters. */
function feed(push: (chunk: Uint8Array) => void, bytes: Uint8Array, cuts: number[]): void {
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    push(bytes.subarray(start, cut));
    start = cut;
  }
}

function sseEvents(text: string, cuts: number[]): SseEvent[] {
  const events: SseEvent[] = [];
  const decoder = new SseDecoder((event) => events.push(event));
  feed((chunk) => decoder.push(chunk), new TextEncoder().encode(text), cuts);
  decoder.end();
  return events;
}

const sseStream =
  'data: {"content":"héllo"}\n\n' +
  ": keep-alive comment\n" +
  'event: delta\r\ndata: {"a":1}\r\ndata: {"b":2}\r\n\r\n' +
  'error: {"code":500}\n\n' +
  "data: [DONE]\n\n";

const expectedSse: SseEvent[] = [
  { event: "message", data: '{"content":"héllo"}' },
  { event: "delta", data: '{"a":1}\n{"b":2}' },
  { event: "error", data: '{"code":500}' },
  { event: "message", data: "[DONE]" },
];

describe("SSE decoder", function () {
  it("decodes a stream in one piece", function () {
    assert.deepEqual(sseEvents(sseStream, []), expectedSse);
  });

  it("gives the same events whatever byte the chunks are cut at, inside a UTF-8 character too", function () {
    const length = new TextEncoder().encode(sseStream).length;
    for (let cut = 1; cut < length; cut++)
      assert.deepEqual(sseEvents(sseStream, [cut]), expectedSse, `cut at byte ${cut}`);
    assert.deepEqual(
      sseEvents(
        sseStream,
        Array.from({ length: length - 1 }, (_, i) => i + 1),
      ),
      expectedSse,
      "one byte per chunk",
    );
  });

  it("dispatches a last event that the server did not end with a blank line", function () {
    assert.deepEqual(sseEvents('data: {"stop":true}', []), [{ event: "message", data: '{"stop":true}' }]);
  });

  it("rejects a body that is not SSE (a JSON answer, an HTML error page)", function () {
    assert.throws(() => sseEvents('{"content":"x"}\n', []), MalformedStreamError);
    assert.throws(() => sseEvents("<html><body>Bad gateway</body></html>\n", []), MalformedStreamError);
  });
});

describe("NDJSON decoder", function () {
  const lines = '{"response":"dé","done":false}\n\n{"response":"f","done":true,"eval_count":2}\n';
  const expected = [
    { response: "dé", done: false },
    { response: "f", done: true, eval_count: 2 },
  ];

  function decode(text: string, cuts: number[]): unknown[] {
    const objects: unknown[] = [];
    const decoder = new NdjsonDecoder((value) => objects.push(value));
    feed((chunk) => decoder.push(chunk), new TextEncoder().encode(text), cuts);
    decoder.end();
    return objects;
  }

  it("gives the same objects whatever byte the chunks are cut at", function () {
    const length = new TextEncoder().encode(lines).length;
    for (let cut = 1; cut < length; cut++) assert.deepEqual(decode(lines, [cut]), expected, `cut at byte ${cut}`);
  });

  it("decodes a last line without a line break", function () {
    assert.deepEqual(decode('{"done":true}', []), [{ done: true }]);
  });

  it("rejects bad JSON and JSON that is not an object", function () {
    assert.throws(() => decode('{"response": "x"\n', []), MalformedStreamError);
    assert.throws(() => decode("[1,2]\n", []), MalformedStreamError);
    assert.throws(() => decode("data: {}\n", []), MalformedStreamError);
  });
});
