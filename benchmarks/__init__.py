"""The performance suite: `python -m benchmarks` measures IOPDesk against its floors.

A floor is the same work done by the bare library (the `sqlite3` module), so the ratio shows what
IOPDesk's layers cost. The data is the large demo practice (ten years, 20 000 participants, about
two million attendance rows), built once into `benchmarks/.data/` and reused.
"""
