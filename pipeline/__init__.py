"""plough: a Snowplow-compatible batch pipeline (raw → enriched → validated → loaded → modelled)."""

__version__ = "0.1.0"
