"""Experiments: replications under common random numbers, designs, statistics, sweep collection."""
