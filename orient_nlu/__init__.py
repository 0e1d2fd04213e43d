"""Our additions to Rasa's NLU pipeline (loaded by Rasa in .venv-rasa, so stdlib and Rasa only)."""
