import assert from "node:assert/strict";
import { checkRemoteAccess, isLoopbackHost } from "../../../extension/src/core/remote/remoteAccess";

describe("remote access policy", function () {
  for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "[::1]", "::1", "api.localhost", "::ffff:127.0.0.1"]) {
    it(`treats ${host} as this machine`, function () {
      assert.equal(isLoopbackHost(host), true);
    });
  }
  for (const host of [
    "10.0.0.5",
    "192.168.1.2",
    "gpu.example.com",
    "127.0.0.1.example.com",
    "localhost.example.com",
    "[2001:db8::1]",
    "0.0.0.0",
  ]) {
    it(`treats ${host} as another machine`, function () {
      assert.equal(isLoopbackHost(host), false);
    });
  }

  it("allows plain http on this machine without asking", function () {
    assert.deepEqual(checkRemoteAccess("http://127.0.0.1:8080", false), {
      kind: "allowed",
      origin: "http://127.0.0.1:8080",
      loopback: true,
    });
  });

  it("refuses plain http to another machine without the opt-in, and says how to allow it", function () {
    const access = checkRemoteAccess("http://gpu.example.com:8080", false);
    assert.equal(access.kind, "refused");
    assert.match(
      access.kind === "refused" ? access.message : "",
      /plain http to gpu\.example\.com:8080.*allowInsecureHttp/,
    );
  });

  it("allows plain http to another machine with the opt-in, as a server that needs consent", function () {
    assert.deepEqual(checkRemoteAccess("http://gpu.example.com:8080", true), {
      kind: "allowed",
      origin: "http://gpu.example.com:8080",
      loopback: false,
    });
  });

  it("allows https to another machine, as a server that needs consent", function () {
    assert.deepEqual(checkRemoteAccess("https://gpu.example.com/v1", false), {
      kind: "allowed",
      origin: "https://gpu.example.com",
      loopback: false,
    });
  });

  it("refuses what is not an http URL", function () {
    assert.equal(checkRemoteAccess("file:///etc/passwd", true).kind, "refused");
    assert.equal(checkRemoteAccess("gpu.example.com:8080", true).kind, "refused");
  });
});
