import * as vscode from "vscode";

const historyKey = "llamaAssist.refactor.instructionHistory";
const maxInstructions = 20;

/** Recent free-text instructions, newest first, kept across sessions in the extension's global state. */
export class InstructionHistory {
  constructor(private readonly state: vscode.Memento) {}

  recent(): string[] {
    const stored = this.state.get<unknown>(historyKey);
    // Global state is user-writable JSON on disk; anything but a list of strings is ignored.
    return Array.isArray(stored)
      ? stored.filter((item): item is string => typeof item === "string").slice(0, maxInstructions)
      : [];
  }

  async remember(instruction: string): Promise<void> {
    const kept = this.recent().filter((item) => item !== instruction);
    await this.state.update(historyKey, [instruction, ...kept].slice(0, maxInstructions));
  }

  /** A quick pick over the history that also takes a new instruction as typed; undefined when dismissed. */
  ask(): Promise<string | undefined> {
    const history = this.recent();
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
    pick.title = "Llama Assist: Refactor Selection";
    pick.placeholder =
      history.length > 0
        ? "Describe the change, or pick a recent instruction"
        : 'Describe the change, e.g. "use a dataclass"';
    const historyItems: vscode.QuickPickItem[] = history.map((label) => ({ label, description: "recent" }));
    pick.items = historyItems;
    const subscriptions = [
      pick.onDidChangeValue((value) => {
        const typed = value.trim();
        pick.items =
          typed === "" || history.includes(typed)
            ? historyItems
            : [{ label: typed, description: "new instruction" }, ...historyItems];
      }),
    ];
    return new Promise<string | undefined>((resolve) => {
      subscriptions.push(
        pick.onDidAccept(() => {
          const chosen = pick.activeItems[0]?.label ?? pick.value.trim();
          resolve(chosen === "" ? undefined : chosen);
          pick.hide();
        }),
        pick.onDidHide(() => {
          resolve(undefined);
          for (const subscription of subscriptions) subscription.dispose();
          pick.dispose();
        }),
      );
      pick.show();
    });
  }
}
