"""The 民情图's colours: the Okabe–Ito palette, told apart with colour blindness too.

The rainbow names stay (孤寡 red, 空巢 orange … 一般户 violet) in hues every
form of colour blindness can separate; every cell also carries its category
as text, so no cell is read by colour alone. 一般户, most of any building, is
a pale tint so that the households needing help stand out.
"""

from grids.models import Household

C = Household.Category

# category: (background, text colour); text contrast is at least 4.5:1.
MAP_COLOURS = {
    C.SOLITARY: ("#D55E00", "#000000"),  # vermillion
    C.EMPTY_NEST: ("#E69F00", "#000000"),  # orange
    C.POOR: ("#F0E442", "#000000"),  # yellow
    C.DISABLED: ("#009E73", "#000000"),  # bluish green
    C.SUPERVISED: ("#0072B2", "#FFFFFF"),  # blue (the rainbow's indigo)
    C.MILITARY: ("#56B4E9", "#000000"),  # sky blue
    C.GENERAL: ("#EBCBDD", "#000000"),  # a tint of reddish purple (the rainbow's violet)
}


def legend(counts=None):
    """(category, label, background, text colour, count) in rainbow order; counts by category value."""
    counts = counts or {}
    return [(c.value, c.label, *MAP_COLOURS[c], counts.get(c.value, 0)) for c in C]
