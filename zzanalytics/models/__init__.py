"""Models stage: comparisons, trends, forecasts, backtests and target-breach probabilities."""
