"""Taking a snapshot to another engine: every table written as Parquet with the schema's comments."""
