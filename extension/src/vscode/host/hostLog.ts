import * as vscode from "vscode";
import type { LogLevel } from "../../core/protocol/host";

/** The host only sends what the output channel would show, so trace logging costs nothing when it is off. */
export function hostLogLevel(log: vscode.LogOutputChannel): LogLevel {
  switch (log.logLevel) {
    case vscode.LogLevel.Trace:
      return "trace";
    case vscode.LogLevel.Debug:
      return "debug";
    case vscode.LogLevel.Info:
      return "info";
    case vscode.LogLevel.Warning:
      return "warn";
    case vscode.LogLevel.Error:
    case vscode.LogLevel.Off:
      return "error";
  }
}

export function writeHostLog(log: vscode.LogOutputChannel, level: LogLevel, message: string): void {
  log[level](`[host] ${message}`);
}
