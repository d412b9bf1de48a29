"""How much a word counts in each field: one table, read by the ranking in Python (search.ranking)
and by the node's index when it picks the best candidates (search.tantivy_index: BM25 with these
weights as boosts), so that the sections it hands over are the ones the ranking would score highest.

Title and initiative names weigh most; what is printed once per report around the text (bylines,
departments, captions, source) weighs little: a name in a byline says who wrote the report, not
what it is about.
"""

FIELD_WEIGHTS = {
    # A section's own fields (SearchDocument.<field>_words):
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
