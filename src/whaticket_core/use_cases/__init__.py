"""Use cases: one class each, with a single ``async execute(command)``; commands and results are frozen dataclasses."""
