"""Shapes for the docs."""


class Circle:
    """A circle.

    Args:
        radius: its radius.
    """

    def __init__(self, radius: float) -> None:
        self.radius = radius

    def area(self) -> float:
        """The area.

        Returns:
            pi times the radius squared.
        """
        return 3.14159 * self.radius**2
