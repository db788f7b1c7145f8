// Facture 🧾: non-ASCII text before the definitions.
public class Invoice
{
    public decimal Amount { get; set; }

    public decimal WithTax(decimal rate)
    {
        return Amount * (1 + rate);
    }
}
