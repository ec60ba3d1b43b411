"""Trust tests (issue 6): hostile input, bidi spoofing, bad input, personal data,
reproducible and archival output. Parametrized over KINDS, LANGUAGES and FORMATS, so that new
document kinds and formats are covered as soon as they exist."""
