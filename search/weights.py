"""How much a word counts in each field: one table, read by the ranking in Python (search.ranking)
and by both backends when they pick the best candidates in SQL, so that the sections a backend
hands over are the ones the ranking would score highest.

Title and initiative names weigh most; what is printed once per report around the text (bylines,
departments, captions, source) weighs little: a name in a byline says who wrote the report, not
what it is about.
"""

FIELD_WEIGHTS = {
    # A section's own fields (IndexRow.<field>_words, the columns of search_fts_words, in order):
    # the article's title, the names of the initiatives the section names, its heading, its body.
    "title": 4.0,
    "init": 3.0,
    "heading": 2.0,
    "body": 1.0,
    # Printed once per report (search.models.ArticleDocument.<field>_words), ranked in Python for
    # every section of the report.
    "subtitle": 2.0,
    "docno": 2.0,
    "series": 1.0,
    "dept": 0.5,
    "source": 0.5,
    "author": 0.5,
    "caption": 0.5,
}
SECTION_FIELDS = ("title", "init", "heading", "body")
ARTICLE_FIELDS = tuple(field for field in FIELD_WEIGHTS if field not in SECTION_FIELDS)

# FTS5's bm25() takes one weight per column, in column order: "4.0, 3.0, 2.0, 1.0".
SQLITE_BM25_WEIGHTS = ", ".join(str(FIELD_WEIGHTS[field]) for field in SECTION_FIELDS)

# PostgreSQL labels each lexeme of a tsvector A (highest) to D: a section field's words carry the
# label of its rank here. ts_rank() takes the labels' weights as an array for D, C, B, A, each at
# most 1, so the table is scaled by its largest weight: "{0.25, 0.5, 0.75, 1.0}".
POSTGRES_LABELS = dict(zip(sorted(SECTION_FIELDS, key=FIELD_WEIGHTS.__getitem__, reverse=True), "ABCD"))
_TOP = max(FIELD_WEIGHTS.values())
_LABEL_WEIGHTS = {label: FIELD_WEIGHTS[field] / _TOP for field, label in POSTGRES_LABELS.items()}
POSTGRES_RANK_WEIGHTS = "{" + ", ".join(str(_LABEL_WEIGHTS[label]) for label in "DCBA") + "}"
