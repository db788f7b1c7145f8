"""A small file to try Llama Assist on: type below and watch for ghost text."""


def fibonacci(n: int) -> int:
    """Returns the n-th Fibonacci number."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def is_prime(n: int) -> bool:
