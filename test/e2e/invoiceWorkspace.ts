// The workspace files of the retrieval scenarios, and their question: a question about the invoice total must be
// answered from invoice.py, which the open file (main.py) only imports.
import assert from "node:assert/strict";
import type { Frame, Locator } from "playwright-core";

const answerTimeoutMs = 90_000;
export const invoiceModule = [
  "import math",
  "",
  "",
  "def format_currency(amount):",
  '    return f"{amount:.2f} EUR"',
  "",
  "",
  "def compute_invoice_total(lines, tax_rate):",
  '    """Adds up the invoice lines and applies the tax rate."""',
  "    subtotal = sum(line.price * line.quantity for line in lines)",
  "    return math.ceil(subtotal * (1 + tax_rate) * 100) / 100",
  "",
].join("\n");

export const invoiceMain = "from invoice import compute_invoice_total\n\nprint('ready')\n";

/**
 * Asks the invoice question in the chat, with retrieval on as it is by default, and waits for the complete answer:
 * its cited sources' locator and their labels.
 */
export async function askAboutInvoiceTotal(chat: Frame): Promise<{ sources: Locator; labels: string[] }> {
  assert.equal(await chat.locator("#retrieval").isChecked(), true, "retrieval is on by default");
  await chat.locator("#input").fill("How is the invoice total computed with the tax rate?");
  await chat.locator("#input").press("Enter");
  const sources = chat.locator(".message.assistant").last().locator(".message-sources .source-link");
  await sources.first().waitFor({ timeout: answerTimeoutMs });
  await chat.locator('.message.assistant[data-status="complete"]').waitFor({ timeout: answerTimeoutMs });
  return { sources, labels: await sources.allInnerTexts() };
}
