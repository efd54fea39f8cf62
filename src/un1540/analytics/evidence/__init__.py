"""Evidence suggestions: which matrix fields a provision of national law is evidence for.

Pure functions over text (no database): a multilingual lexicon of concepts (lexicon.py, data in
reference/evidence/lexicon.yml), language detection (text.py), features and a learned layer
(model.py) trained on the labelled development set and the experts' decisions.
See docs/evidence.md.
"""
