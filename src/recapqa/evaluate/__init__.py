"""Evaluation: question sets, metrics, a runner, and the report. A thin shell over the core."""
