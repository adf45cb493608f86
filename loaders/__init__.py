"""Write side: file guards, readers, header mapping, validation and transactional ingest."""
