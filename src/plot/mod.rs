//! Charts as SVG (plotters, SVG backend only: text stays text, no system fonts needed).
