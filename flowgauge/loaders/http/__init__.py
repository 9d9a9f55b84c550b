"""Shared HTTP plumbing for API loaders: one session over a passed-in httpx.Client, retries, rate limits, paging."""
