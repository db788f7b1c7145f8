// Inventaire 📦: non-ASCII text before the definitions.
public class Inventory {
    private int count;

    public int restock(int amount) {
        count += amount;
        return count;
    }
}
