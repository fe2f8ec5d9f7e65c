"""API of people (authors, reviewers, board members) and practitioner listings."""
