import math


class Shape:
    def __init__(self, sides: int) -> None:
        self.sides = sides

    def perimeter(self, length: float) -> float:
        return self.sides * length


def polygon_area(shape: Shape, length: float) -> float:
    return shape.sides * length * length / (4 * math.tan(math.pi / shape.sides))
