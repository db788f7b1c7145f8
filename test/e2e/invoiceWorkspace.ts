// The workspace files of the retrieval scenarios: a question about the invoice total must be answered from invoice.py,
// which the open file (main.py) only imports.
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
