"""Calibration to the historical record (issue 5): the historical scenario, targets, fit, validation."""
