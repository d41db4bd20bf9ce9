"""The diary: laying appointments out on the grid (``layout``, pure) and moving a visit
by dropping its card on a free time (``moves``)."""
