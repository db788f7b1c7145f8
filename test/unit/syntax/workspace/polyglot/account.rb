# Compte 💎: non-ASCII text before the definitions.
class BankAccount
  def deposit(amount)
    @balance += amount
  end
end

def format_balance(amount)
  format("%.2f", amount)
end
