"""The strategy's account governance: requests for new accounts, the registry, dormant accounts."""
