"""The editorial desk (docs/editing.md): every model of the archive in the Django admin, in Chinese.

One module per group of models: articles.py (with the upload import), sections.py, catalogs.py,
records.py (what editors read but do not edit); history.py is the history, compare and restore
pages every admin shares; search.py the admin's search box, which uses the archive's own Chinese
search. Writes that are more than a form save go through archive.services (publishing, splitting,
merging and moving sections, relinking, restoring) or archive.ingest (importing). Importing this
package registers them all (archive/apps.py does, at start-up).
"""

from django.contrib import admin

from archive.editorial.admin import articles, catalogs, records, sections  # noqa: F401  (registers the admins)
from archive.editorial.login_guard import GuardedAdminAuthenticationForm

admin.site.login_form = GuardedAdminAuthenticationForm
# The article page puts the original text beside the form; the sidebar would squeeze both.
admin.site.enable_nav_sidebar = False
