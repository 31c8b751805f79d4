"""API-client collectors, one module per source, all following `sourcing.sources.contract`."""
