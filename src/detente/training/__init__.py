"""Training detente's learned components from its own corpus (``make train``)."""
