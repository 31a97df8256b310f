"""Per-day results, the event log, tidy tables, invariants and summaries."""
