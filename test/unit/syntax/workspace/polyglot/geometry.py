# Géométrie ☕ 🐍: non-ASCII text before the definitions shifts byte offsets away from UTF-16 ones.
class Triangle:
    def __init__(self, base: float, height: float) -> None:
        self.base = base
        self.height = height

    def surface(self) -> float:
        return self.base * self.height / 2


def hypotenuse(a: float, b: float) -> float:
    return (a * a + b * b) ** 0.5
