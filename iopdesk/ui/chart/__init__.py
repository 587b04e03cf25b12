"""The chart of one participant: a window with a banner and one tab per chart section."""
