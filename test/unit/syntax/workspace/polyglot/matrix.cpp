// Matrice 🧮: non-ASCII text before the definitions.
class Matrix {
public:
    int rows() const { return rowCount; }
private:
    int rowCount = 0;
};

int matrixTrace(const Matrix& m) {
    return m.rows();
}
