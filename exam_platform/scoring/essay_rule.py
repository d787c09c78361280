"""The rule that turns essay marks into one final mark (pure; amounts in hundredths of a point).

One marker: that mark. Two markers: if they differ by at most the threshold, their mean; otherwise
a third marker marks and the two nearest of the three marks are averaged (if the lowest and the
highest are equally near the middle one, the middle mark stands). Means are rounded to 0.01, half
to even. Marks count in the order they were given.
"""


def final_essay_mark(marks: list[int], *, markers: int, threshold: int) -> int | None:
    """The final mark, or None while marks are missing (the result stays pending_manual)."""
    if markers <= 1:
        return marks[0] if marks else None
    if len(marks) < 2:
        return None
    first, second = marks[0], marks[1]
    if abs(first - second) <= threshold:
        return _mean(first, second)
    if len(marks) < 3:
        return None
    low, middle, high = sorted(marks[:3])
    if middle - low < high - middle:
        return _mean(low, middle)
    if high - middle < middle - low:
        return _mean(middle, high)
    return middle


def marks_needed(marks: list[int], *, markers: int, threshold: int) -> int:
    """How many marks this essay needs in all, given the ones it has (1, 2 or 3)."""
    if markers <= 1:
        return 1
    if len(marks) >= 2 and abs(marks[0] - marks[1]) > threshold:
        return 3
    return 2


def _mean(a: int, b: int) -> int:
    total = a + b
    half, odd = divmod(total, 2)
    return half + (1 if odd and half % 2 == 1 else 0)
