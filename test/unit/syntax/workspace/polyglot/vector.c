/* Vecteur ➡️: non-ASCII text before the definitions. */
struct vec2 {
    double x;
    double y;
};

double vec2_dot(struct vec2 a, struct vec2 b) {
    return a.x * b.x + a.y * b.y;
}
