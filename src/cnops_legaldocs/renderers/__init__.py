"""Renderers: each lays a `Document` out in one file format and returns the file's bytes."""
