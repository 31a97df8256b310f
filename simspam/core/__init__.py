"""The simulation core: random streams, the SimPy engine wrapper, and the day loop."""
