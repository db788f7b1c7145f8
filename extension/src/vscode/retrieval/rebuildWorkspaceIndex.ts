import * as vscode from "vscode";
import { commandIds } from "../commandIds";

/** The command that throws the kept workspace index away and builds it again (the status bar shows its progress). */
export function register(rebuild: () => Promise<void>): vscode.Disposable {
  return vscode.commands.registerCommand(commandIds.rebuildWorkspaceIndex, () => rebuild());
}
