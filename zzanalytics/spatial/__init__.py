"""Spatial stage: grids, KDE, Gi*, emerging hot spots, prospective risk and camera coverage."""
