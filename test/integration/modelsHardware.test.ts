// The hardware probe through the real host bundle: a fresh host process answers without a model, then exits.
import assert from "node:assert/strict";
import { totalmem } from "node:os";
import { probeHardware } from "../../extension/src/node/models/hardwareProbe";
import { hostScript } from "../fixtures/hostHarness";

describe("hardware probe", function () {
  it("reports the backend, VRAM, GPU drivers and math cores without loading a model", async function () {
    const { report, hardware } = await probeHardware(hostScript, "auto");
    assert.ok(["cpu", "cuda", "vulkan", "metal"].includes(report.gpu.type));
    assert.ok(report.cpuMathCores >= 1);
    assert.ok(
      (report.vramFreeBytes >= 0 && report.vramFreeBytes <= report.gpu.vramTotalBytes) || report.gpu.type === "cpu",
    );
    assert.ok(Array.isArray(report.availableGpuTypes));
    assert.equal(hardware.ramBytes, totalmem());
    assert.equal(hardware.cpuCores, report.cpuMathCores);
  });

  it("reports the CPU backend when the setting says cpu", async function () {
    const { report } = await probeHardware(hostScript, "cpu");
    assert.equal(report.gpu.type, "cpu");
    assert.deepEqual(report.gpu.names, []);
  });
});
