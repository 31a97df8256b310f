"""Typed configuration: schemas registered in Hydra's ConfigStore, composition, validation."""
