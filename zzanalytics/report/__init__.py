"""Report stage: number wording, charts and maps, papermill/nbconvert rendering, PDF, batch."""
