"""cxloop's PostgreSQL database backend (``ENGINE``): Django's, with a cheaper health check."""
