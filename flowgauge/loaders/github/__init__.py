"""GitHub loader: pull requests over GraphQL, the other streams over REST, written through the snapshot store."""
