"""Orient: a multilingual pre-departure orientation assistant."""
