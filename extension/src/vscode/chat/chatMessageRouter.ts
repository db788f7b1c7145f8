import * as vscode from "vscode";
import type { ChatSession } from "../../core/chat/session";
import type { ChatFromWebview, ChatToWebview } from "../../core/protocol/webview";
import type { AttachResult, Attachments } from "./attachments";
import type { CodeActions } from "./codeActions";
import { openLink } from "./openLink";

type ChatMessage<Kind extends ChatFromWebview["kind"]> = Extract<ChatFromWebview, { kind: Kind }>;

/** The chat view as the message handlers see it: the page they answer. */
export interface ChatPage {
  post(message: ChatToWebview): void;
  postAttachments(): void;
  postHostAvailability(): void;
  /** The new chips after an attachment was added, or why it was refused. */
  report(result: AttachResult): void;
  /** Whether questions bring workspace code, as the setting says now. */
  postRetrieval(): void;
  setRetrieval(enabled: boolean): Promise<void>;
}

/** Acts on the chat page's messages (checked by isChatFromWebview first), one handler per kind. */
export class ChatMessageRouter {
  /** The user's unsent text; the webview is discarded while hidden. */
  private draft = "";

  constructor(
    private readonly page: ChatPage,
    private readonly attachments: Attachments,
    private readonly codeActions: CodeActions,
  ) {}

  async route(session: ChatSession, message: ChatFromWebview): Promise<void> {
    switch (message.kind) {
      case "ready":
        return this.ready(session);
      case "draftChanged":
        return this.draftChanged(message);
      case "send":
        return this.send(session, message);
      case "stop":
        return this.stop(session);
      case "regenerate":
        return this.regenerate(session);
      case "newChat":
        return this.newChat(session);
      case "openConversation":
        return this.openConversation(session, message);
      case "renameConversation":
        return this.renameConversation(session, message);
      case "deleteConversation":
        return this.deleteConversation(session, message);
      case "attachCurrentFile":
        return this.attachCurrentFile();
      case "attachSelection":
        return this.attachSelection();
      case "searchMentions":
        return this.searchMentions(message);
      case "attachMention":
        return this.attachMention(message);
      case "removeAttachment":
        return this.removeAttachment(message);
      case "codeAction":
        return this.codeAction(session, message);
      case "openLink":
        return openLink(message.href);
      case "openSource":
        return this.openSource(session, message);
      case "dropSource":
        return this.dropSource(session, message);
      case "setRetrieval":
        return this.page.setRetrieval(message.enabled);
      default: {
        // Fails to compile when ChatFromWebview gains a kind without a case above.
        const unhandled: never = message;
        throw new Error(`The chat view has no handler for ${JSON.stringify(unhandled)}.`);
      }
    }
  }

  private ready(session: ChatSession): void {
    session.postState();
    this.page.postAttachments();
    this.page.postHostAvailability();
    this.page.postRetrieval();
    if (this.draft !== "") this.page.post({ kind: "restoreDraft", text: this.draft });
  }

  private draftChanged(message: ChatMessage<"draftChanged">): void {
    this.draft = message.text;
  }

  private send(session: ChatSession, message: ChatMessage<"send">): void {
    if (session.busy) return;
    this.draft = "";
    const languageId = vscode.window.activeTextEditor?.document.languageId;
    session.send(message.text, this.attachments.take(), languageId);
    this.page.postAttachments();
  }

  private stop(session: ChatSession): void {
    session.stop();
  }

  private regenerate(session: ChatSession): void {
    session.regenerate();
  }

  private newChat(session: ChatSession): void {
    session.newChat();
  }

  private openConversation(session: ChatSession, message: ChatMessage<"openConversation">): void {
    session.open(message.conversationId);
  }

  private async renameConversation(session: ChatSession, message: ChatMessage<"renameConversation">): Promise<void> {
    const title = await vscode.window.showInputBox({
      prompt: "Name of this chat",
      validateInput: (value) => (value.trim() === "" ? "Enter a name." : undefined),
    });
    if (title !== undefined) session.rename(message.conversationId, title.slice(0, 200));
  }

  private async deleteConversation(session: ChatSession, message: ChatMessage<"deleteConversation">): Promise<void> {
    const choice = await vscode.window.showWarningMessage("Delete this chat?", { modal: true }, "Delete");
    if (choice === "Delete") session.delete(message.conversationId);
  }

  private attachCurrentFile(): void {
    this.page.report(this.attachments.addDocument(vscode.window.activeTextEditor?.document));
  }

  private attachSelection(): void {
    this.page.report(this.attachments.addSelection(vscode.window.activeTextEditor));
  }

  private async searchMentions(message: ChatMessage<"searchMentions">): Promise<void> {
    const items = await this.attachments.searchMentions(message.query);
    this.page.post({ kind: "mentionMatches", query: message.query, items });
  }

  private async attachMention(message: ChatMessage<"attachMention">): Promise<void> {
    this.page.report(await this.attachments.addMention(message.mention.kind, message.mention.value));
  }

  private removeAttachment(message: ChatMessage<"removeAttachment">): void {
    this.attachments.remove(message.attachmentId);
    this.page.postAttachments();
  }

  private async openSource(session: ChatSession, message: ChatMessage<"openSource">): Promise<void> {
    const source = session.source(message.messageId, message.index);
    if (source === undefined) return;
    const uri = vscode.Uri.file(source.path);
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      void vscode.window.showWarningMessage(`Llama Assist: ${source.label} is no longer in the workspace.`);
      return;
    }
    const line = new vscode.Range(source.startLine, 0, source.startLine, 0);
    await vscode.window.showTextDocument(uri, { selection: line, preview: true });
  }

  private dropSource(session: ChatSession, message: ChatMessage<"dropSource">): void {
    session.dropSource(message.messageId, message.index);
  }

  private async codeAction(session: ChatSession, message: ChatMessage<"codeAction">): Promise<void> {
    const block = session.codeBlock(message.messageId, message.index);
    if (block === undefined) return;
    await this.codeActions.run(message.action, block);
  }
}
