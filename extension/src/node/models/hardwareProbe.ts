// Asks a short-lived inference host process what hardware it finds: before a model is configured there is no
// running host to ask, and llama.cpp's GPU detection belongs in a host process, not in the editor's.
import { fork } from "node:child_process";
import { totalmem } from "node:os";
import { type GpuSetting, type HardwareReport, type HostError, checkFromHost } from "../../core/protocol/host";
import type { Hardware } from "../../core/models/recommend";

export interface ProbedHardware {
  hardware: Hardware;
  report: HardwareReport;
}

const probeRequestId = 1;

export function probeHardware(hostScript: string, gpu: GpuSetting, timeoutMs = 30000): Promise<ProbedHardware> {
  return new Promise((resolve, reject) => {
    const child = fork(hostScript, [], {
      execPath: process.execPath,
      execArgv: [],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
      stdio: ["ignore", "ignore", "ignore", "ipc"],
    });
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // The host kills itself when its channel closes.
      if (child.connected) child.disconnect();
      action();
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(() => reject(new Error(`The hardware probe did not answer within ${timeoutMs / 1000} s.`)));
    }, timeoutMs);
    child.on("message", (value: unknown) => {
      const checked = checkFromHost(value);
      if (!checked.ok) return;
      const message = checked.message;
      if (message.kind === "hardware" && message.id === probeRequestId) {
        const report = message.report;
        finish(() => resolve({ report, hardware: hardwareOf(report) }));
      } else if (message.kind === "error" && message.id === probeRequestId) {
        const error: HostError = message.error;
        finish(() => reject(new Error(error.message)));
      }
    });
    child.on("error", (error) => finish(() => reject(error)));
    child.on("exit", (code, signal) =>
      finish(() => reject(new Error(`The hardware probe exited early (${signal ?? code}).`))),
    );
    child.send({ kind: "hardware", id: probeRequestId, gpu });
  });
}

/** RAM comes from this process (the same machine); cores are llama.cpp's math cores, which set generation speed. */
export function hardwareOf(report: HardwareReport): Hardware {
  return {
    ramBytes: totalmem(),
    cpuCores: report.cpuMathCores,
    gpu: {
      type: report.gpu.type,
      names: report.gpu.names,
      vramTotalBytes: report.gpu.vramTotalBytes,
      vramFreeBytes: report.vramFreeBytes,
    },
  };
}
